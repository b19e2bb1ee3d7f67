/* Writes {"kib": N} KiB of 'x' on stdout, ignoring write errors (so only the host can stop it). */
#include "util.h"

int main(void) {
  size_t n;
  long kib = first_number(read_all(&n));
  char block[1024];
  memset(block, 'x', sizeof block);
  for (long i = 0; i < kib; i++) write(1, block, sizeof block);
  return 0;
}
