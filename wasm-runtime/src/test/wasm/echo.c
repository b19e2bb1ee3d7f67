/* Command module: writes {"echo": <stdin>}, so a JSON input comes back inside a JSON object. */
#include <stdio.h>
#include "util.h"

int main(void) {
  size_t n;
  char *in = read_all(&n);
  fprintf(stderr, "echo: %zu bytes in\n", n);
  printf("{\"echo\":%s}\n", in);
  return 0;
}
