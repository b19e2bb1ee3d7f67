/* Writes a line, then exits with the status {"status": N} asks for, through exit() (WASI proc_exit). */
#include <stdio.h>
#include "util.h"

int main(void) {
  size_t n;
  long status = first_number(read_all(&n));
  printf("{\"exiting\":%ld}\n", status);
  fflush(stdout);
  fprintf(stderr, "exit_code: exiting with %ld\n", status);
  exit((int)status);
}
