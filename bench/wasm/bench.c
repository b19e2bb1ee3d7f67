/*
 * The module bench/wasm-run.sh runs in GraalWasm (Mycelium's runtime) and in Node.js (node:wasi), side by side.
 * A reactor (clang -mexec-model=reactor): the payload is stdin, the result stdout, as for every Mycelium module.
 *
 *   handle()   a small JSON request in, a small JSON answer out: the per-call overhead
 *   compute()  {"n": N, "size": S}: a sieve of Eratosthenes below N (integer, memory) and an S x S Mandelbrot set
 *              (floating point); the answer has checksums so neither side can skip work
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_all(size_t *len) {
  size_t cap = 1024, n = 0;
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

static void write_all(const char *s, size_t len) {
  while (len > 0) {
    ssize_t w = write(1, s, len);
    if (w <= 0) return;
    s += w;
    len -= (size_t)w;
  }
}

/* The integer after "key": in a flat JSON object, or fallback. */
static long field(const char *json, const char *key, long fallback) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\"", key);
  const char *p = strstr(json, pattern);
  if (!p) return fallback;
  p += strlen(pattern);
  while (*p == ' ' || *p == ':') p++;
  return strtol(p, NULL, 10);
}

__attribute__((export_name("handle"))) int handle(void) {
  size_t n;
  char *in = read_all(&n);
  long id = field(in, "id", -1);
  char out[128];
  int len = snprintf(out, sizeof out, "{\"ok\":true,\"id\":%ld,\"bytes\":%zu}\n", id, n);
  write_all(out, (size_t)len);
  free(in);
  return 0;
}

__attribute__((export_name("compute"))) int compute(void) {
  size_t len;
  char *in = read_all(&len);
  long n = field(in, "n", 1000000);
  long size = field(in, "size", 200);
  free(in);

  uint8_t *composite = calloc((size_t)n + 1, 1);
  long primes = 0;
  uint64_t sum = 0;
  for (long i = 2; i <= n; i++) {
    if (composite[i]) continue;
    primes++;
    sum += (uint64_t)i;
    if (i > n / i) continue; /* i * i > n; also keeps i * i within 32 bits */
    for (long j = i * i; j <= n; j += i) composite[j] = 1;
  }
  free(composite);

  long inside = 0;
  for (long y = 0; y < size; y++) {
    for (long x = 0; x < size; x++) {
      double cr = -2.0 + 3.0 * (double)x / (double)size;
      double ci = -1.5 + 3.0 * (double)y / (double)size;
      double zr = 0, zi = 0;
      int k = 0;
      while (k < 200 && zr * zr + zi * zi < 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        k++;
      }
      if (k == 200) inside++;
    }
  }
  char out[160];
  int w = snprintf(out, sizeof out, "{\"primes\":%ld,\"sum\":%llu,\"mandelbrotInside\":%ld}\n", primes,
                   (unsigned long long)sum, inside);
  write_all(out, (size_t)w);
  return 0;
}
