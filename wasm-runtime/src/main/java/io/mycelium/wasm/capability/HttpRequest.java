package io.mycelium.wasm.capability;

import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request a module asked for.
 *
 * @param method the method, upper case ({@code GET} when the module gave none)
 * @param url the absolute URL, as the module wrote it
 * @param headers request headers
 * @param body the body as text (UTF-8 on the wire), empty for none
 */
public record HttpRequest(String method, String url, Map<String, String> headers, String body) {
    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        body = body == null ? "" : body;
    }
}
