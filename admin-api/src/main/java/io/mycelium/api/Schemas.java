package io.mycelium.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas (2020-12) of every JSON body of the admin API and every WebSocket message, shipped as resources in
 * {@code /schemas}, and the one check that applies them: a body or message that does not match is refused with a
 * 400 {@code invalid_request} whose details name each violation.
 *
 * <pre>{@code
 * {"code": "invalid_request", "message": "command: string found, array expected",
 *  "details": {"field": "command", "violations": [{"path": "$.command", "problem": "string found, array expected"}]}}
 * }</pre>
 *
 * <p>{@code field} is the top-level property the first violation is in (the form every 400 of this API has);
 * {@code violations} lists them all, in document order. The schemas check shape (types, required and unknown fields,
 * sizes); the parsers behind them check meaning (durations, ids, that a host exists).
 */
public final class Schemas {

    /** The message types, each with its schema. */
    public enum Type {
        /** {@code POST /api/v1/exec} and {@code /exec/stream}. */
        EXEC_REQUEST("exec-request"),
        /** The first message of the interactive WebSocket. */
        INTERACTIVE_REQUEST("interactive-request"),
        /** {@code POST /api/v1/exec/{id}/approve} and {@code /deny}. */
        DECISION("decision"),
        /** {@code POST /api/v1/hosts}. */
        HOST("host"),
        /** {@code PUT /api/v1/policies}. */
        POLICIES("policies"),
        /** {@code POST /api/v1/tasks}. */
        TASK_SUBMIT("task-submit"),
        /** A worker agent's {@code hello}. */
        AGENT_HELLO("agent-hello"),
        /** A worker agent's {@code accept}, {@code heartbeat}, {@code progress} or {@code reject}. */
        AGENT_TASK_MESSAGE("agent-task-message"),
        /** A worker agent's {@code complete}. */
        AGENT_COMPLETE("agent-complete"),
        /** A worker agent's {@code fail}. */
        AGENT_FAIL("agent-fail"),
        /** {@code PUT /api/v1/rate-limits}. */
        RATE_LIMITS("rate-limits"),
        /** {@code PUT /api/v1/alerts/rules}. */
        ALERT_RULES("alert-rules");

        private final String file;

        Type(String file) {
            this.file = file;
        }

        /** The schema's resource, e.g. {@code /schemas/task-submit.json}. */
        public String resource() {
            return "/schemas/" + file + ".json";
        }
    }

    /** One way a document misses its schema. */
    public record Violation(String path, String problem) {}

    private static final int MAX_VIOLATIONS = 20;
    private static final Map<Type, JsonSchema> SCHEMAS = load();

    private Schemas() {}

    private static Map<Type, JsonSchema> load() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(com.networknt.schema.PathType.LEGACY)
                .build();
        Map<Type, JsonSchema> schemas = new EnumMap<>(Type.class);
        for (Type type : Type.values()) {
            try (InputStream in = Schemas.class.getResourceAsStream(type.resource())) {
                if (in == null) {
                    throw new IllegalStateException("the schema " + type.resource() + " is not on the class path");
                }
                JsonSchema schema = factory.getSchema(in, config);
                schema.initializeValidators();
                schemas.put(type, schema);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + type.resource(), e);
            }
        }
        return schemas;
    }

    /** The violations of {@code document} against the schema of {@code type}; empty when it matches. */
    public static List<Violation> violations(Type type, JsonNode document) {
        List<ValidationMessage> messages = new ArrayList<>(SCHEMAS.get(type).validate(document));
        messages.sort(Comparator.comparing((ValidationMessage m) -> path(m)));
        List<Violation> violations = new ArrayList<>();
        for (ValidationMessage m : messages) {
            if (violations.size() == MAX_VIOLATIONS) {
                break;
            }
            violations.add(new Violation(path(m), problem(m)));
        }
        return violations;
    }

    /** Returns {@code document} when it matches its schema; throws the 400 of its violations otherwise. */
    public static JsonNode checked(Type type, JsonNode document) {
        List<Violation> violations = violations(type, document);
        if (violations.isEmpty()) {
            return document;
        }
        Violation first = violations.get(0);
        Map<String, Object> details = new LinkedHashMap<>();
        String field = field(first.path());
        if (field != null) {
            details.put("field", field);
        }
        details.put(
                "violations",
                violations.stream()
                        .map(v -> Map.of("path", v.path(), "problem", v.problem()))
                        .toList());
        String where = first.path().equals("$") ? "" : first.path().substring(2) + ": ";
        throw new ApiException(400, "invalid_request", where + first.problem(), details, null);
    }

    /** Where the violation is; a missing or unknown property is named as the path it would have. */
    private static String path(ValidationMessage m) {
        JsonNodePath at = m.getInstanceLocation();
        String type = m.getType();
        if (m.getProperty() != null && ("required".equals(type) || "additionalProperties".equals(type))) {
            at = at.append(m.getProperty());
        }
        return at.toString();
    }

    private static String problem(ValidationMessage m) {
        String error = m.getError() != null ? m.getError() : m.getMessage();
        return switch (m.getType()) {
            case "required" -> "is required";
            case "additionalProperties" -> "is not a known field";
            default -> error;
        };
    }

    /** The top-level property of a path like {@code $.terminal.cols} or {@code $.command[0]}. */
    private static String field(String path) {
        if (!path.startsWith("$.")) {
            return null;
        }
        String rest = path.substring(2);
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '.' || c == '[') {
                end = i;
                break;
            }
        }
        return rest.substring(0, end);
    }
}
