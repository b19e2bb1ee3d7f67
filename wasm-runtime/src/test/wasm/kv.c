/* Uses mycelium:kv: stores stdin under a key, reads it back (through take(), the buffer being too small), deletes it. */
#include <stdio.h>
#include "mycelium.h"
#include "util.h"

int main(void) {
  size_t n;
  char *in = read_all(&n);
  const char *key = "greeting";
  int set = mycelium_kv_set(key, 8, in, (int32_t)n);
  char small[4];
  int len = mycelium_kv_get(key, 8, small, sizeof small);
  char *value = malloc(len > 0 ? len + 1 : 1);
  int took = len > (int)sizeof small ? mycelium_kv_take(value, len) : len;
  value[len > 0 ? len : 0] = 0;
  int again = mycelium_kv_take(value, len);
  int deleted = mycelium_kv_delete(key, 8);
  int deleted_again = mycelium_kv_delete(key, 8);
  int missing = mycelium_kv_get("nope", 4, small, sizeof small);
  int invalid = mycelium_kv_get((void *)0x7ffffff0, 100, small, sizeof small);
  printf("{\"set\":%d,\"get\":%d,\"took\":%d,\"takeAgain\":%d,\"deleted\":%d,\"deletedAgain\":%d,\"missing\":%d,"
         "\"invalid\":%d,\"value\":%s}\n",
         set, len, took, again, deleted, deleted_again, missing, invalid, value);
  return 0;
}
