/* Reactor module (no _start): handle() echoes stdin and counts its calls; its state lives as long as the instance. */
#include <stdio.h>
#include "util.h"

static int calls;
static int initialized;

__attribute__((constructor)) static void init(void) { initialized = 1; }

__attribute__((export_name("handle"))) int handle(void) {
  size_t n;
  char *in = read_all(&n);
  calls++;
  char head[96];
  snprintf(head, sizeof head, "{\"calls\":%d,\"initialized\":%d,\"echo\":", calls, initialized);
  write_str(1, head);
  write_all(1, in, n);
  write_str(1, "}\n");
  free(in);
  return 0;
}

__attribute__((export_name("fail"))) int fail(void) {
  write_str(2, "fail: giving up\n");
  return 3;
}

__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
