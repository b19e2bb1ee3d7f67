/* Traps with an integer division by zero two calls deep, so the Wasm stack has named frames. */
#include <stdio.h>
#include "util.h"

__attribute__((noinline)) int divide_by_zero(int x) {
  volatile int zero = 0;
  return x / zero;
}

__attribute__((noinline)) int compute(int x) { return divide_by_zero(x + 1) + 1; }

int main(void) {
  size_t n;
  long v = first_number(read_all(&n));
  fprintf(stderr, "about to divide %ld by zero\n", v);
  printf("{\"result\":%d}\n", compute((int)v));
  return 0;
}
