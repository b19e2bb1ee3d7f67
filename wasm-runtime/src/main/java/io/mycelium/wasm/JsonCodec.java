package io.mycelium.wasm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON in and out of modules: one value per payload, nothing after it but whitespace, and decimals kept exactly as
 * written (no round trip through double).
 */
final class JsonCodec {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .build();

    private JsonCodec() {}

    /** The one JSON value in {@code bytes}; an {@link IOException} saying why when there is not exactly one. */
    static JsonNode parse(byte[] bytes) throws IOException {
        JsonNode node = MAPPER.readTree(bytes);
        if (node == null || node.isMissingNode()) {
            throw new IOException("no JSON value (" + (bytes.length == 0 ? "empty" : "only whitespace") + ")");
        }
        return node;
    }

    static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the input as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Jackson's message without its source excerpt. */
    static String reason(IOException e) {
        return e instanceof JsonProcessingException j
                ? j.getOriginalMessage()
                        + (j.getLocation() != null
                                ? " (at byte " + j.getLocation().getByteOffset() + ")"
                                : "")
                : e.getMessage();
    }
}
