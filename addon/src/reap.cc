// Reaps orphaned zombies without ever taking the exit status of a child that libuv
// spawned. libuv waits for each of its children by pid and, if someone else reaped one
// first, silently never reports its exit (libuv src/unix/process.c, uv__wait_children).
// So: peek at the first exited child with waitid(WNOWAIT), reap it only if it is not a
// live libuv process handle, and when a libuv zombie sits at the head of the kernel's
// queue (hiding the orphans behind it), find the orphans through /proc instead and ask
// the caller to try again once libuv has had its turn.
#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace corral {
namespace {

// Bounds one call, so a fork bomb cannot keep the event loop in here.
constexpr int kMaxReapsPerCall = 4096;

struct Reaped {
  pid_t pid;
  int status;
};

// The first syscall that failed in a call, with its errno. It is returned beside what
// was reaped rather than thrown: a throw would lose those exit statuses, which no one
// can wait for again, and the caller runs from a timer, where a throw is an internal
// error that stops every service.
struct Failure {
  const char* syscall = nullptr;
  int err = 0;
  std::string detail;

  void Note(const char* failed, int errno_value, std::string what = "") {
    if (syscall != nullptr) return;
    syscall = failed;
    err = errno_value;
    detail = std::move(what);
  }
};

void AddLiveProcess(uv_handle_t* handle, void* arg) {
  if (uv_handle_get_type(handle) != UV_PROCESS || !uv_is_active(handle)) return;
  auto* live = static_cast<std::unordered_set<pid_t>*>(arg);
  live->insert(uv_process_get_pid(reinterpret_cast<const uv_process_t*>(handle)));
}

// The pids libuv still waits for: active process handles on the main loop. Only the
// main thread may ask. A worker thread has a loop of its own, which holds none of the
// main loop's children: every one of them that has exited would look like an orphan
// here and be reaped, and libuv would then never report its exit. Node runs its main
// thread on uv_default_loop() and gives each worker a new loop.
bool LivePids(Napi::Env env, std::unordered_set<pid_t>& live) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Napi::Error::New(env, "reapOrphans: no libuv loop for this thread").ThrowAsJavaScriptException();
    return false;
  }
  if (loop != uv_default_loop()) {
    // Node's error for what a worker may not do (process.chdir() in a worker).
    Napi::TypeError error = Napi::TypeError::New(
        env, "reapOrphans() is not supported in workers: only the main thread's loop knows which exited children libuv still waits for");
    error.Set("code", Napi::String::New(env, "ERR_WORKER_UNSUPPORTED_OPERATION"));
    error.ThrowAsJavaScriptException();
    return false;
  }
  uv_walk(loop, AddLiveProcess, &live);
  return true;
}

bool ReapOne(pid_t pid, std::vector<Reaped>& out, Failure& failure) {
  int status = 0;
  pid_t got;
  do got = waitpid(pid, &status, WNOHANG);
  while (got == -1 && errno == EINTR);
  if (got == -1) {
    failure.Note("waitpid", errno, std::to_string(pid));
    return false;
  }
  // 0: a child of that pid has not exited. Nothing failed; only a waiter elsewhere that
  // took the zombie, and the pid's reuse since, can make it so.
  if (got != pid) return false;
  out.push_back({pid, status});
  return true;
}

// Zombies whose parent is this process, from /proc/[pid]/stat. Not /proc/self/task/*/
// children, which proc(5) says may omit children while others exit.
// A process that exits and is reaped meanwhile is no failure: its files are gone
// (ENOENT on open, ESRCH on read).
std::vector<pid_t> ZombieChildren(Failure& failure) {
  std::vector<pid_t> zombies;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) {
    failure.Note("opendir", errno, "/proc");
    return zombies;
  }
  const long self = getpid();
  char path[64];
  char stat[512];
  for (;;) {
    errno = 0;  // readdir returns NULL both at the end and on an error; only errno tells
    dirent* entry = readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) failure.Note("readdir", errno, "/proc");
      break;
    }
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
      if (errno != ENOENT) failure.Note("open", errno, path);
      continue;
    }
    ssize_t n;
    do n = read(fd, stat, sizeof stat - 1);
    while (n == -1 && errno == EINTR);
    const int read_errno = errno;
    close(fd);
    if (n == -1 && read_errno != ESRCH) failure.Note("read", read_errno, path);
    if (n <= 0) continue;
    stat[n] = '\0';
    // comm may hold spaces and ')', so the fields start after the last ')'.
    const char* fields = std::strrchr(stat, ')');
    char state = 0;
    long ppid = 0;
    if (fields == nullptr || std::sscanf(fields + 1, " %c %ld", &state, &ppid) != 2) continue;
    if (state == 'Z' && ppid == self) zombies.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return zombies;
}

Napi::Object ToJs(Napi::Env env, const Reaped& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, r.pid));
  o.Set("code", WIFEXITED(r.status) ? Napi::Number::New(env, WEXITSTATUS(r.status)) : env.Null());
  o.Set("signal", WIFSIGNALED(r.status) ? Napi::Number::New(env, WTERMSIG(r.status)) : env.Null());
  return o;
}

}  // namespace

// reapOrphans(): { reaped: {pid, code, signal}[], retry: boolean, failure?: Error }
// retry is true when a libuv zombie blocked the fast path or the per-call bound was hit:
// the caller runs it again after libuv has reaped its own children. failure, when set,
// is the first syscall that failed (as ErrnoError makes it); the rest was still done.
Napi::Value ReapOrphans(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unordered_set<pid_t> live;
  if (!LivePids(env, live)) return env.Undefined();

  std::vector<Reaped> reaped;
  Failure failure;
  bool retry = false;
  int round = 0;
  for (; round < kMaxReapsPerCall; ++round) {
    siginfo_t si;
    std::memset(&si, 0, sizeof si);  // si_pid stays 0 when no child has exited
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
      if (errno == EINTR) continue;
      if (errno != ECHILD) failure.Note("waitid", errno);  // ECHILD: no children at all
      break;
    }
    if (si.si_pid == 0) break;
    if (live.count(si.si_pid) == 0) {
      if (!ReapOne(si.si_pid, reaped, failure)) break;
      continue;
    }
    // A libuv child is at the head of the queue: every peek would return it again.
    for (pid_t zombie : ZombieChildren(failure)) {
      if (live.count(zombie) == 0) ReapOne(zombie, reaped, failure);
    }
    retry = true;
    break;
  }
  if (round == kMaxReapsPerCall) retry = true;

  Napi::Array list = Napi::Array::New(env, reaped.size());
  for (uint32_t i = 0; i < reaped.size(); ++i) list.Set(i, ToJs(env, reaped[i]));
  Napi::Object result = Napi::Object::New(env);
  result.Set("reaped", list);
  result.Set("retry", Napi::Boolean::New(env, retry));
  if (failure.syscall != nullptr) {
    const char* detail = failure.detail.empty() ? nullptr : failure.detail.c_str();
    result.Set("failure", ErrnoError(env, failure.syscall, failure.err, detail).Value());
  }
  return result;
}

}  // namespace corral
