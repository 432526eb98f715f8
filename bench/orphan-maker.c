/* The service of the orphan-reaping benchmark (bench/cost.ts): it makes COUNT orphans for
 * the init above it to reap, when told to, and says when it has made them all.
 *
 *   orphan-maker COUNT TRIGGER DONE
 *
 * It waits until a byte can be read from the FIFO TRIGGER, then forks COUNT children; each
 * forks a grandchild and exits at once, and the grandchild exits at once too. The maker
 * reaps its children itself, so each grandchild becomes a zombie whose parent is gone:
 * the init's to reap, and nothing else. Then it creates the file DONE and sleeps until
 * killed (exiting would make a supervisor restart it or report it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: orphan-maker COUNT TRIGGER DONE\n");
    return 2;
  }
  long count = strtol(argv[1], NULL, 10);
  int trigger = open(argv[2], O_RDONLY);
  char byte;
  if (trigger < 0 || read(trigger, &byte, 1) != 1) {
    perror("orphan-maker: trigger");
    return 1;
  }
  close(trigger);
  for (long i = 0; i < count; i++) {
    pid_t child = fork();
    if (child < 0) {
      if (errno == EAGAIN) {
        i--;
        usleep(1000);
        continue;
      }
      perror("orphan-maker: fork");
      return 1;
    }
    if (child == 0) {
      if (fork() < 0) _exit(1);
      _exit(0); /* the grandchild (fork() == 0) exits here too */
    }
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
  }
  int done = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (done < 0) {
    perror("orphan-maker: done");
    return 1;
  }
  close(done);
  for (;;) pause();
}
