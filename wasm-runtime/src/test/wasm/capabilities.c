/* Uses mycelium:log, mycelium:http and mycelium:messaging once each; prints their results. */
#include <stdio.h>
#include <string.h>
#include "mycelium.h"
#include "util.h"

int main(void) {
  size_t n;
  read_all(&n);
  const char *msg = "hello from wasm";
  int logged = mycelium_log_write(MYCELIUM_LOG_INFO, msg, (int32_t)strlen(msg));
  const char *req = "{\"method\":\"post\",\"url\":\"https://example.test/x\",\"headers\":{\"a\":\"b\"},\"body\":\"hi\"}";
  char resp[512];
  int r = mycelium_http_request(req, (int32_t)strlen(req), resp, sizeof resp - 1);
  resp[r > 0 ? r : 0] = 0;
  int bad = mycelium_http_request("{oops", 5, resp + 256, 10);
  int pub = mycelium_messaging_publish("events", 6, "ping", 4);
  char reply[64];
  int rq = mycelium_messaging_request("echo", 4, "marco", 5, 1000, reply, sizeof reply - 1);
  reply[rq > 0 ? rq : 0] = 0;
  int nobody = mycelium_messaging_request("void", 4, "x", 1, 10, reply + 32, 16);
  printf("{\"logged\":%d,\"http\":%s,\"badRequest\":%d,\"published\":%d,\"reply\":\"%s\",\"nobody\":%d}\n", logged,
         r > 0 ? resp : "null", bad, pub, reply, nobody);
  return 0;
}
