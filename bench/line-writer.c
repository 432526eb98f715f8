/* The service of the log-relay benchmark (bench/logs.ts). It must write faster than any
 * relay can pass lines on, so that the relay, not the writer, sets the pace: it builds
 * many lines in one big buffer and hands the kernel the whole buffer per write().
 *
 *   line-writer lines NAME COUNT   COUNT lines "NAME 000000042 xxx...x NAME 000000042\n",
 *                                  100 bytes each. The name and number come twice, so a
 *                                  reader can tell a line from the head of one line glued to
 *                                  the tail of another, which are otherwise alike.
 *   line-writer long BYTES         one line of BYTES bytes without a newline ('A'..'Z' over
 *                                  and over, so a reader can check every byte's position)
 *
 * Afterwards it closes stdout (the relay sees EOF and flushes) and sleeps until killed:
 * exiting would make supervisors restart it (and write everything again) or report it as
 * failed, and each one handles that differently.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LINE = 100, LINES_PER_BLOCK = 10000, LONG_BLOCK = 1 << 20 };

/* Writes all of buf: a blocking pipe may still take less than asked (a signal arrived
 * after some bytes went in), and a signal before any byte went in gives EINTR. */
static void write_all(const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(1, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("line-writer: write");
      exit(1);
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void write_lines(const char *name, long count) {
  size_t name_len = strlen(name);
  /* Twice NAME, space, 9 digits and a space, at least one filler byte, and the newline. */
  size_t field = name_len + 11;
  if (2 * field + 2 > LINE) {
    fprintf(stderr, "line-writer: name too long\n");
    exit(2);
  }
  char *block = malloc((size_t)LINE * LINES_PER_BLOCK);
  if (block == NULL) exit(1);
  /* Every line is the same but for its number: lay them all out once, then only rewrite
   * the digits for each block. */
  for (int i = 0; i < LINES_PER_BLOCK; i++) {
    char *line = block + (size_t)i * LINE;
    memset(line, 'x', LINE - 1);
    memcpy(line, name, name_len);
    line[name_len] = ' ';
    line[name_len + 10] = ' ';
    memcpy(line + LINE - 1 - field + 1, name, name_len);
    line[LINE - 1 - field] = ' ';
    line[LINE - 1 - field + 1 + name_len] = ' ';
    line[LINE - 1] = '\n';
  }
  for (long seq = 0; seq < count;) {
    int in_block = 0;
    for (; in_block < LINES_PER_BLOCK && seq < count; in_block++, seq++) {
      char *line = block + (size_t)in_block * LINE;
      long rest = seq;
      for (int d = 0; d < 9; d++, rest /= 10) line[name_len + 9 - d] = line[LINE - 2 - d] = (char)('0' + rest % 10);
    }
    write_all(block, (size_t)in_block * LINE);
  }
  free(block);
}

static void write_long(long bytes) {
  /* A block length that is a multiple of 26 keeps the pattern continuous across blocks. */
  size_t block_len = LONG_BLOCK - LONG_BLOCK % 26;
  char *block = malloc(block_len);
  if (block == NULL) exit(1);
  for (size_t i = 0; i < block_len; i++) block[i] = (char)('A' + i % 26);
  for (long left = bytes; left > 0;) {
    size_t n = (size_t)left < block_len ? (size_t)left : block_len;
    write_all(block, n);
    left -= (long)n;
  }
  free(block);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "lines") == 0) {
    write_lines(argv[2], atol(argv[3]));
  } else if (argc == 3 && strcmp(argv[1], "long") == 0) {
    write_long(atol(argv[2]));
  } else {
    fprintf(stderr, "usage: line-writer lines NAME COUNT | line-writer long BYTES\n");
    return 2;
  }
  close(1);
  for (;;) pause();
}
