/*
 * A slow disk for tests: loaded with LD_PRELOAD, it makes every fsync and fdatasync of the process
 * take SLOW_FSYNC_MS milliseconds longer (default 50), the way a busy volume or a network block
 * device does. Both SQLite (inside better-sqlite3) and Node's fs call these libc functions, so
 * whichever thread syncs is the one that waits.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void wait_like_a_slow_disk(void) {
  const char *value = getenv("SLOW_FSYNC_MS");
  long ms = value ? atol(value) : 50;
  struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&pause, &pause) != 0) {
  }
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  wait_like_a_slow_disk();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  wait_like_a_slow_disk();
  return real(fd);
}
