package io.mycelium.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of documents that are each certainly malformed for their type: a valid example of the type with
 * one of a set of mutations that no valid document survives (a required field dropped, an unknown field added, a
 * field of a type its schema does not allow, a wrong array item, another top-level type, truncated or garbled text,
 * nesting past the parser's limit).
 */
final class MalformedDocuments {
    /** Parses as the node does: trailing text after the document is malformed. */
    static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A type's valid example, its required fields, and the JSON types each field allows. */
    record Shape(Schemas.Type type, String example, List<String> required, Map<String, List<String>> fields) {}

    static final List<Shape> SHAPES = List.of(
            new Shape(
                    Schemas.Type.TASK_SUBMIT,
                    "{\"target\":\"local\",\"command\":[\"true\"],\"maxAttempts\":2,\"deadline\":\"1m\"}",
                    List.of("command"),
                    Map.of(
                            "target", List.of("string"),
                            "capability", List.of("string"),
                            "command", List.of("array"),
                            "maxAttempts", List.of("integer"),
                            "deadline", List.of("string"),
                            "timeout", List.of("string"),
                            "backoff", List.of("object"),
                            "idempotencyKey", List.of("string"))),
            new Shape(
                    Schemas.Type.EXEC_REQUEST,
                    "{\"agentId\":\"no-such-host\",\"command\":[\"true\"],\"timeout\":\"1s\"}",
                    List.of("agentId", "command"),
                    Map.of(
                            "agentId", List.of("string"),
                            "command", List.of("array"),
                            "environment", List.of("object", "null"),
                            "tty", List.of("boolean", "null"),
                            "interactive", List.of("boolean", "null"),
                            "timeout", List.of("string", "number", "null"))),
            new Shape(
                    Schemas.Type.INTERACTIVE_REQUEST,
                    "{\"agentId\":\"no-such-host\",\"command\":[\"true\"],\"terminal\":{\"cols\":80,\"rows\":24}}",
                    List.of("agentId", "command"),
                    Map.of(
                            "agentId", List.of("string"),
                            "command", List.of("array"),
                            "terminal", List.of("object", "null"),
                            "tty", List.of("boolean", "null"))),
            new Shape(
                    Schemas.Type.DECISION,
                    "{\"reason\":\"fine\"}",
                    List.of(),
                    Map.of("reason", List.of("string", "null"))),
            new Shape(
                    Schemas.Type.HOST,
                    "{\"id\":\"fuzz-host\",\"transport\":\"local\",\"labels\":{\"a\":\"b\"}}",
                    List.of("id"),
                    Map.of(
                            "id", List.of("string"),
                            "port", List.of("integer", "null"),
                            "labels", List.of("object", "null"),
                            "acceptNewHostKey", List.of("boolean", "null"))),
            new Shape(
                    Schemas.Type.AGENT_HELLO,
                    "{\"type\":\"hello\",\"agentId\":\"w1\",\"capabilities\":[\"build\"],\"concurrency\":2}",
                    List.of("type", "agentId", "capabilities"),
                    Map.of(
                            "type", List.of("string"),
                            "agentId", List.of("string"),
                            "capabilities", List.of("array"),
                            "concurrency", List.of("integer"))),
            new Shape(
                    Schemas.Type.AGENT_TASK_MESSAGE,
                    "{\"type\":\"accept\",\"taskId\":\"t-1\",\"attempt\":1}",
                    List.of("type", "taskId", "attempt"),
                    Map.of(
                            "type", List.of("string"),
                            "taskId", List.of("string"),
                            "attempt", List.of("integer"),
                            "message", List.of("string"))),
            new Shape(
                    Schemas.Type.AGENT_COMPLETE,
                    "{\"type\":\"complete\",\"taskId\":\"t-1\",\"attempt\":1,\"output\":\"ok\",\"exitCode\":0}",
                    List.of("type", "taskId", "attempt"),
                    Map.of(
                            "taskId", List.of("string"),
                            "attempt", List.of("integer"),
                            "output", List.of("string", "null"),
                            "exitCode", List.of("integer", "null"))),
            new Shape(
                    Schemas.Type.AGENT_FAIL,
                    "{\"type\":\"fail\",\"taskId\":\"t-1\",\"attempt\":1,\"message\":\"x\",\"retryable\":true}",
                    List.of("type", "taskId", "attempt"),
                    Map.of(
                            "taskId", List.of("string"),
                            "attempt", List.of("integer"),
                            "message", List.of("string", "null"),
                            "retryable", List.of("boolean"))),
            new Shape(
                    Schemas.Type.RATE_LIMITS,
                    "{\"actions\":{\"task-submit\":{\"capacity\":1,\"refill\":1,\"period\":\"1s\"}}}",
                    List.of("actions"),
                    Map.of("actions", List.of("object"))),
            new Shape(
                    Schemas.Type.ALERT_RULES,
                    "{\"queueDepth\":10,\"failuresPerMinute\":5,\"stuckAfter\":\"10m\"}",
                    List.of(),
                    Map.of(
                            "queueDepth", List.of("integer"),
                            "failuresPerMinute", List.of("integer"),
                            "stuckAfter", List.of("string"))),
            new Shape(
                    Schemas.Type.POLICIES,
                    "{\"policies\":[{\"name\":\"fuzz\",\"principals\":[\"nobody\"]}]}",
                    List.of("policies"),
                    Map.of("policies", List.of("array"))));

    private static final List<String> KINDS =
            List.of("string", "integer", "number", "boolean", "null", "array", "object");

    private final Random random;

    MalformedDocuments(long seed) {
        this.random = new Random(seed);
    }

    /** The text of one malformed document of {@code shape}. */
    String next(Shape shape) {
        ObjectNode doc;
        try {
            doc = (ObjectNode) JSON.readTree(shape.example());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        int mutation = random.nextInt(shape.required().isEmpty() ? 7 : 8);
        switch (mutation) {
            case 0 -> doc.set("unknown" + random.nextInt(1000), value("string"));
            case 1 -> {
                List<String> names = new ArrayList<>(shape.fields().keySet());
                String field = names.get(random.nextInt(names.size()));
                List<String> allowed = shape.fields().get(field);
                List<String> wrong = new ArrayList<>(KINDS);
                wrong.removeAll(allowed);
                if (allowed.contains("number")) {
                    wrong.remove("integer");
                }
                doc.set(field, value(wrong.get(random.nextInt(wrong.size()))));
            }
            case 2 -> {
                return List.of("[]", "\"text\"", "42", "null", "true", "[{\"a\":1}]")
                        .get(random.nextInt(6));
            }
            case 3 -> {
                String text = doc.toString();
                return text.substring(0, 1 + random.nextInt(text.length() - 1));
            }
            case 4 -> {
                StringBuilder garbage = new StringBuilder();
                int n = 1 + random.nextInt(64);
                for (int i = 0; i < n; i++) {
                    garbage.append((char) (0x21 + random.nextInt(0x5d)));
                }
                // Never a bare number, string or literal that happens to parse as some other type's document.
                return "{" + garbage;
            }
            case 5 -> {
                int depth = 1_000 + random.nextInt(4_000);
                return "[".repeat(depth) + "]".repeat(depth);
            }
            case 6 -> {
                if (doc.has("command")) {
                    doc.withArray("command")
                            .add(value(List.of("integer", "object", "null", "boolean")
                                    .get(random.nextInt(4))));
                } else {
                    doc.set("unknown-" + random.nextInt(1000), value("object"));
                }
            }
            default ->
                doc.remove(shape.required().get(random.nextInt(shape.required().size())));
        }
        return doc.toString();
    }

    private JsonNode value(String kind) {
        return switch (kind) {
            case "string" -> NODES.textNode("s" + random.nextInt(100));
            case "integer" -> NODES.numberNode(random.nextInt());
            case "number" -> NODES.numberNode(random.nextDouble() + 0.5);
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            case "null" -> NODES.nullNode();
            case "array" -> NODES.arrayNode().add(random.nextInt());
            default -> NODES.objectNode().put("k", random.nextInt());
        };
    }
}
