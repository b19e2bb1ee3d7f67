/*
 * mycelium.h: the capability imports of the Mycelium Wasm host (wasm-runtime/README.md describes the ABI).
 *
 * Every function takes and returns i32. A result >= 0 is success: a length for functions that return bytes, else 0.
 * A negative result is one of the MYCELIUM_* statuses below. Calling a function of a capability the call was not
 * granted stops the call with a capability error: there is no status for it, the module never sees it.
 *
 * Functions that return bytes take an output buffer (out, out_cap) and return the result's length n. When
 * n <= out_cap the bytes are in the buffer. When n > out_cap nothing is written and the host keeps the result: call
 * the same capability's take() with a buffer of n bytes to collect it, without repeating the operation. The next
 * call of that capability drops a result nobody took.
 *
 * Build with: clang --target=wasm32-wasi -O2 -I<this directory> module.c -o module.wasm
 */
#ifndef MYCELIUM_H
#define MYCELIUM_H

#include <stdint.h>

#define MYCELIUM_NOT_FOUND (-1) /* no such key; nobody answered a request */
#define MYCELIUM_INVALID (-2)   /* pointer or length outside memory, bad UTF-8, malformed JSON request */
#define MYCELIUM_TOO_LARGE (-3) /* key, value, body or result larger than the provider accepts */
#define MYCELIUM_FAILED (-4)    /* the provider failed; retrying may help */
#define MYCELIUM_TIMEOUT (-5)   /* the operation ran past its timeout */
#define MYCELIUM_NO_RESULT (-6) /* take() found no pending result */

#define MYCELIUM_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

/* mycelium:kv: byte keys to byte values. */
MYCELIUM_IMPORT("mycelium:kv", "get")
int32_t mycelium_kv_get(const void *key, int32_t key_len, void *out, int32_t out_cap);
MYCELIUM_IMPORT("mycelium:kv", "set")
int32_t mycelium_kv_set(const void *key, int32_t key_len, const void *value, int32_t value_len);
MYCELIUM_IMPORT("mycelium:kv", "delete") /* 0, or MYCELIUM_NOT_FOUND */
int32_t mycelium_kv_delete(const void *key, int32_t key_len);
MYCELIUM_IMPORT("mycelium:kv", "take")
int32_t mycelium_kv_take(void *out, int32_t out_cap);

/*
 * mycelium:http: request is JSON {"method":"GET","url":"https://...","headers":{"k":"v"},"body":"text"};
 * the result is JSON {"status":200,"headers":{"k":"v"},"body":"text"}.
 */
MYCELIUM_IMPORT("mycelium:http", "request")
int32_t mycelium_http_request(const char *request_json, int32_t request_len, void *out, int32_t out_cap);
MYCELIUM_IMPORT("mycelium:http", "take")
int32_t mycelium_http_take(void *out, int32_t out_cap);

/* mycelium:messaging: subjects are UTF-8; bodies are bytes. request() waits up to timeout_ms for one reply. */
MYCELIUM_IMPORT("mycelium:messaging", "publish")
int32_t mycelium_messaging_publish(const char *subject, int32_t subject_len, const void *body, int32_t body_len);
MYCELIUM_IMPORT("mycelium:messaging", "request")
int32_t mycelium_messaging_request(const char *subject, int32_t subject_len, const void *body, int32_t body_len,
                                   int32_t timeout_ms, void *out, int32_t out_cap);
MYCELIUM_IMPORT("mycelium:messaging", "take")
int32_t mycelium_messaging_take(void *out, int32_t out_cap);

/* mycelium:log: level 0 trace, 1 debug, 2 info, 3 warn, 4 error; messages over 8 KiB are cut. */
#define MYCELIUM_LOG_TRACE 0
#define MYCELIUM_LOG_DEBUG 1
#define MYCELIUM_LOG_INFO 2
#define MYCELIUM_LOG_WARN 3
#define MYCELIUM_LOG_ERROR 4
MYCELIUM_IMPORT("mycelium:log", "write")
int32_t mycelium_log_write(int32_t level, const char *message, int32_t message_len);

#endif
