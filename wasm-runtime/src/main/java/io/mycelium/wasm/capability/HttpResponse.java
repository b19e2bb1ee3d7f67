package io.mycelium.wasm.capability;

import java.util.Map;

/**
 * The answer to an {@link HttpRequest}.
 *
 * @param status the status code
 * @param headers response headers
 * @param body the body as text, empty for none
 */
public record HttpResponse(int status, Map<String, String> headers, String body) {
    public HttpResponse {
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
    }
}
