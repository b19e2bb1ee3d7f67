package io.mycelium.function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function that {@code Context.callJson} runs on a host: JSON in, JSON out. The controller ships the jar holding the
 * class to the host and a worker process there creates one instance with the public no-argument constructor, then
 * calls {@link #apply} for every call of its {@link #name()}, from several threads at once: keep it stateless or
 * thread-safe. It runs on the host's Java (17 or later) with Jackson on its class path.
 *
 * <pre>{@code
 * public final class Greeter implements JsonFunction {
 *     public String name() { return "greet"; }
 *     public JsonNode apply(JsonNode input) {
 *         return JsonNodeFactory.instance.textNode("hello " + input.path("who").asText());
 *     }
 * }
 * }</pre>
 */
public interface JsonFunction {
    /** The name calls use; unique within a registry. */
    String name();

    /**
     * Runs one call.
     *
     * @param input the caller's JSON value
     * @return the result, sent back as JSON; null stands for JSON {@code null}
     * @throws Exception any failure: the caller gets it as a remote error with this exception's class, message and
     *     stack trace (its causes included)
     */
    JsonNode apply(JsonNode input) throws Exception;
}
