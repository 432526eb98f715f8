/*
 * svexec: sets the process attributes that Node's spawn() cannot (rlimits, umask,
 * supplementary groups, closing stray fds) and then execs the service in its own place,
 * so the pid that libuv waits for is the service's pid.
 *
 *   svexec [--status-fd N] [--user NAME] [--uid N] [--gid N] [--groups G1,G2,...]
 *          [--umask OCTAL] [--chdir DIR] [--rlimit NAME=SOFT:HARD]... -- FILE [ARGS...]
 *
 * A failure writes "STEP ERRNO\n" to the status fd (or "svexec: STEP: strerror" to
 * stderr when there is none) and exits 127. The status fd is close-on-exec, so after a
 * successful exec its reader sees EOF with no data, the trick libuv uses to report
 * exec errors. That keeps "the command was not found" apart from "the service exited
 * with 127".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LIMITS 16

struct limit {
  int resource;
  struct rlimit value;
};

static int status_fd = -1;

/* Reports a failed step and exits. 127 is what a shell returns for "command not
 * found"; the status fd is what tells the supervisor which step really failed. */
static void die(const char *step, int err) {
  if (status_fd >= 0) {
    char line[64];
    int n = snprintf(line, sizeof line, "%s %d\n", step, err);
    /* A reader that went away must not turn our exit into a SIGPIPE death. */
    signal(SIGPIPE, SIG_IGN);
    while (write(status_fd, line, (size_t)n) < 0 && errno == EINTR) {
    }
  } else if (err != 0) { /* usage() has already said what was wrong */
    fprintf(stderr, "svexec: %s: %s\n", step, strerror(err));
  }
  _exit(127);
}

static void usage(const char *why, const char *arg) {
  fprintf(stderr, "svexec: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
  fprintf(stderr, "usage: svexec [--status-fd N] [--user NAME] [--uid N] [--gid N] [--groups G1,G2,...]\n"
                  "              [--umask OCTAL] [--chdir DIR] [--rlimit NAME=SOFT:HARD]... -- FILE [ARGS...]\n");
  die("usage", 0);
}

/* Parses a whole string as an unsigned number no larger than max; -1 on any junk, so
 * "12abc", "" and "-1" are refused rather than read as something else. */
static long long parse_number(const char *text, int base, unsigned long long max) {
  if (*text == '\0' || *text == '-' || *text == '+') return -1;
  errno = 0;
  char *end;
  unsigned long long value = strtoull(text, &end, base);
  if (errno != 0 || *end != '\0' || value > max) return -1;
  return (long long)value;
}

static long long parse_id(const char *text, const char *option) {
  /* (uid_t)-1 means "unchanged" to setuid and friends, so it is not a valid id. */
  long long id = parse_number(text, 10, (unsigned long long)(uid_t)-2);
  if (id < 0) usage("bad number for", option);
  return id;
}

static rlim_t parse_rlim(const char *text, const char *option) {
  if (strcmp(text, "unlimited") == 0) return RLIM_INFINITY;
  long long value = parse_number(text, 10, LLONG_MAX);
  if (value < 0) usage("bad rlimit value in", option);
  return (rlim_t)value;
}

static void parse_rlimit(char *spec, struct limit *out) {
  static const struct { const char *name; int resource; } names[] = {
      {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC}, {"core", RLIMIT_CORE},
      {"memlock", RLIMIT_MEMLOCK}, {"stack", RLIMIT_STACK}, {"as", RLIMIT_AS}};
  char *equals = strchr(spec, '=');
  char *colon = equals ? strchr(equals, ':') : NULL;
  if (!colon) usage("expected --rlimit NAME=SOFT:HARD, got", spec);
  *equals = '\0';
  *colon = '\0';
  out->resource = -1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(spec, names[i].name) == 0) out->resource = names[i].resource;
  }
  if (out->resource < 0) usage("unknown rlimit (nofile nproc core memlock stack as)", spec);
  out->value.rlim_cur = parse_rlim(equals + 1, spec);
  out->value.rlim_max = parse_rlim(colon + 1, spec);
}

/* Fills groups from "G1,G2,..."; an empty string is an empty list (drop all groups). */
static size_t parse_groups(char *list, gid_t *groups, size_t max) {
  size_t count = 0;
  for (char *item = strtok(list, ","); item; item = strtok(NULL, ",")) {
    if (count == max) usage("too many groups in", "--groups");
    groups[count++] = (gid_t)parse_id(item, "--groups");
  }
  return count;
}

/* Closes every fd >= 3 except keep, so fds that leaked into the supervisor (libuv marks
 * only the first 16 close-on-exec) do not leak on into every service. */
static void close_other_fds(int keep) {
#ifdef SYS_close_range
  int ok;
  if (keep < 3) {
    ok = syscall(SYS_close_range, 3U, ~0U, 0U) == 0;
  } else {
    ok = (keep == 3 || syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) == 0) &&
         syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0;
  }
  if (ok) return;
#endif
  /* Kernels before 5.9: walk /proc/self/fd. Without /proc there is nothing safe to do. */
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return;
  for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
    long long fd = parse_number(entry->d_name, 10, INT_MAX);
    if (fd >= 3 && fd != keep && fd != dirfd(dir)) close((int)fd);
  }
  closedir(dir);
}

/* libuv resets these in its children already; doing it here too means the shim gives
 * the same clean start whoever runs it. */
static void reset_signals(void) {
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
  for (int sig = 1; sig < 32; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
}

/* A pipe is created 0600 and owned by its creator, root. The service holds its ends
 * already, but a program that reopens /dev/stdout or /dev/stderr (nginx, many images'
 * log settings) opens the pipe anew, which needs the owner's permission: so stdout and
 * stderr pipes, which corral makes for this service alone, become the user's. Only pipes:
 * a terminal or /dev/null must never change owner. Best effort: a service that only
 * writes to its fds works either way, so a failure here is not fatal. */
static void give_output_pipes(uid_t uid, gid_t gid) {
  for (int fd = 1; fd <= 2; fd++) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) (void)fchown(fd, uid, gid);
  }
}

int main(int argc, char **argv) {
  static gid_t groups[NGROUPS_MAX];
  struct limit limits[MAX_LIMITS];
  size_t limit_count = 0, group_count = 0;
  const char *user = NULL, *dir = NULL;
  long long uid = -1, gid = -1, mask = -1;
  int have_groups = 0;

  /* Find the status fd first, so a usage error anywhere on the line still reaches it. */
  for (int i = 1; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (strcmp(argv[i], "--status-fd") == 0) {
      long long fd = parse_number(argv[i + 1], 10, INT_MAX);
      if (fd >= 0 && fcntl((int)fd, F_GETFD) != -1) status_fd = (int)fd;
    }
  }

  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    const char *option = argv[i];
    char *value = argv[i + 1];
    if (strncmp(option, "--", 2) != 0) usage("expected an option or --, got", option);
    if (!value || strcmp(value, "--") == 0) usage("missing value for", option);
    if (strcmp(option, "--status-fd") == 0) {
      if (status_fd < 0) usage("status fd is not an open fd", value);
    } else if (strcmp(option, "--user") == 0) {
      user = value;
    } else if (strcmp(option, "--uid") == 0) {
      uid = parse_id(value, option);
    } else if (strcmp(option, "--gid") == 0) {
      gid = parse_id(value, option);
    } else if (strcmp(option, "--groups") == 0) {
      group_count = parse_groups(value, groups, NGROUPS_MAX);
      have_groups = 1;
    } else if (strcmp(option, "--umask") == 0) {
      if ((mask = parse_number(value, 8, 0777)) < 0) usage("bad octal umask", value);
    } else if (strcmp(option, "--chdir") == 0) {
      dir = value;
    } else if (strcmp(option, "--rlimit") == 0) {
      if (limit_count == MAX_LIMITS) usage("too many options", option);
      parse_rlimit(value, &limits[limit_count++]);
    } else {
      usage("unknown option", option);
    }
  }
  if (i + 1 >= argc) usage("missing -- FILE", NULL);
  char **command = &argv[i + 1];

  /* Limits first, while still root: raising a hard limit needs CAP_SYS_RESOURCE. */
  for (size_t l = 0; l < limit_count; l++) {
    if (setrlimit(limits[l].resource, &limits[l].value) != 0) die("rlimit", errno);
  }
  if (mask >= 0) umask((mode_t)mask);
  /* Groups before setgid/setuid: changing them needs CAP_SETGID, which setuid drops.
   * Without this step the child would keep root's supplementary groups. */
  if (have_groups) {
    if (setgroups(group_count, groups) != 0) die("groups", errno);
  } else if (user && gid >= 0) {
    /* Safe here (not between fork and exec in Node): this is a fresh single-threaded
     * process, and NSS may open files and allocate. */
    if (initgroups(user, (gid_t)gid) != 0) die("initgroups", errno);
  } else if (gid >= 0) {
    gid_t only = (gid_t)gid;
    if (setgroups(1, &only) != 0) die("groups", errno);
  }
  if (uid >= 0) give_output_pipes((uid_t)uid, gid >= 0 ? (gid_t)gid : (gid_t)-1);
  if (gid >= 0 && setgid((gid_t)gid) != 0) die("setgid", errno);
  if (uid >= 0 && setuid((uid_t)uid) != 0) die("setuid", errno);
  /* After setuid, so a directory the user may not enter fails here as it would for them. */
  if (dir && chdir(dir) != 0) die("chdir", errno);

  close_other_fds(status_fd);
  reset_signals();
  if (status_fd >= 0 && fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) die("exec", errno);
  execvp(command[0], command);
  die("exec", errno);
  return 127;
}
