/* Writes text that is not JSON. */
#include <stdio.h>

int main(void) {
  printf("hello, this is not json\n");
  return 0;
}
