package io.mycelium.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A call that succeeded: the module exited with status 0 (or its export returned 0 or nothing) and wrote one JSON
 * value on stdout.
 *
 * @param output the JSON value the module wrote
 * @param stderr what it wrote on stderr (the first 64 KiB, as UTF-8)
 * @param elapsed the call's wall-clock time (instantiation included for one-shot calls)
 * @param memoryBytes the size of its linear memory at the end of the call
 */
public record WasmResult(JsonNode output, String stderr, Duration elapsed, long memoryBytes) {}
