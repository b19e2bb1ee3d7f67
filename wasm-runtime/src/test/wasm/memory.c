/* Allocates and touches {"mib": N} MiB, one MiB at a time, and keeps it all (so the compiler cannot drop it). */
#include <stdio.h>
#include "util.h"

static char *blocks[4096];

int main(void) {
  size_t n;
  long mib = first_number(read_all(&n));
  long sum = 0;
  for (long i = 0; i < mib && i < 4096; i++) {
    blocks[i] = malloc(1 << 20);
    if (blocks[i] == NULL) {
      printf("{\"failedAt\":%ld}\n", i);
      return 0;
    }
    memset(blocks[i], (int)(i & 0x7F), 1 << 20);
  }
  for (long i = 0; i < mib && i < 4096; i++) sum += blocks[i][i];
  printf("{\"allocatedMiB\":%ld,\"sum\":%ld}\n", mib, sum);
  return 0;
}
