package io.mycelium.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** JSON literals for tests. */
final class Json {
    private Json() {}

    static JsonNode parse(String json) {
        try {
            return JsonCodec.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
