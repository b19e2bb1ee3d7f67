/* Helpers of the test modules: all of stdin into a buffer, and all of a buffer to a descriptor, without stdio. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    ssize_t r = read(0, buf + n, cap - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

static void write_all(int fd, const char *s, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, s, len);
    if (w <= 0) return;
    s += w;
    len -= (size_t)w;
  }
}

static void write_str(int fd, const char *s) { write_all(fd, s, strlen(s)); }

/* The first integer in s (a crude stand-in for a JSON parser: test inputs are like {"n": 42}). */
static long first_number(const char *s) {
  while (*s && !(*s >= '0' && *s <= '9') && *s != '-') s++;
  return strtol(s, NULL, 10);
}

#endif
