package io.mycelium.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Durations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads an {@link ExecRequest} from its JSON form, naming the field of the first thing wrong:
 *
 * <pre>{@code
 * {"id": "deploy-42",               optional, [A-Za-z0-9._-]{1,64}; generated when absent
 *  "agentId": "web1",               required, a registered host
 *  "command": ["echo", "hi"],       required, 1..4096 strings, no NUL, 256 KiB in all
 *  "workDir": "/srv/app",           optional, absolute
 *  "environment": {"K": "v"},       optional, string values
 *  "stdin": "text",                 optional; or "stdinBase64": "AAE=" for bytes (not both), 1 MiB at most
 *  "timeout": "30s",                optional: 500ms, 30s, 5m, 2h, an ISO-8601 duration, or a number of seconds
 *  "user": "deploy",                optional
 *  "interactive": false, "tty": false,
 *  "requestedBy": "...",            optional; must equal the authenticated principal
 *  "requestTime": "2026-11-21T10:00:00Z"}  optional
 * }</pre>
 */
public final class ExecRequestParser {
    private static final Set<String> FIELDS = Set.of(
            "id",
            "agentId",
            "command",
            "workDir",
            "environment",
            "stdin",
            "stdinBase64",
            "timeout",
            "user",
            "interactive",
            "tty",
            "requestedBy",
            "requestTime");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
    private static final int MAX_ARGS = 4096;
    private static final int MAX_COMMAND_BYTES = 256 * 1024;
    private static final int MAX_STDIN_BYTES = 1024 * 1024;

    private ExecRequestParser() {}

    /** Parses and validates; throws {@link ApiException} (400) naming the field. */
    public static ExecRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest(name, "unknown field \"" + name + "\"; known fields: " + FIELDS);
            }
        }
        String id = optionalText(body, "id");
        if (id == null) {
            id = UUID.randomUUID().toString();
        } else if (!ID.matcher(id).matches()) {
            throw ApiException.badRequest("id", "id must be 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        String agentId = optionalText(body, "agentId");
        if (agentId == null || agentId.isEmpty()) {
            throw ApiException.badRequest("agentId", "agentId is required: the registered host to run on");
        }
        List<String> command = command(body.get("command"));
        String workDir = optionalText(body, "workDir");
        if (workDir != null && (!workDir.startsWith("/") || workDir.indexOf('\0') >= 0)) {
            throw ApiException.badRequest("workDir", "workDir must be an absolute path");
        }
        byte[] stdin = stdin(body);
        boolean interactive = optionalBoolean(body, "interactive");
        String requestTime = optionalText(body, "requestTime");
        Instant requested;
        try {
            requested = requestTime == null ? null : Instant.parse(requestTime);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    "requestTime", "requestTime must be an ISO-8601 instant like 2026-11-21T10:00:00Z");
        }
        return new ExecRequest(
                id,
                agentId,
                command,
                workDir,
                environment(body.get("environment")),
                stdin,
                timeout(body.get("timeout")),
                optionalText(body, "user"),
                interactive,
                optionalBoolean(body, "tty"),
                optionalText(body, "requestedBy"),
                requested);
    }

    private static List<String> command(JsonNode node) {
        if (node == null || node.isNull()) {
            throw ApiException.badRequest("command", "command is required: an array like [\"echo\", \"hi\"]");
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("command", "command must be an array of strings, not " + kind(node));
        }
        if (node.isEmpty()) {
            throw ApiException.badRequest("command", "command must name at least a program");
        }
        if (node.size() > MAX_ARGS) {
            throw ApiException.badRequest("command", "command has " + node.size() + " words, over " + MAX_ARGS);
        }
        List<String> words = new ArrayList<>(node.size());
        long bytes = 0;
        for (int i = 0; i < node.size(); i++) {
            JsonNode word = node.get(i);
            if (!word.isTextual()) {
                throw ApiException.badRequest("command", "command[" + i + "] must be a string, not " + kind(word));
            }
            String text = word.textValue();
            if (text.indexOf('\0') >= 0) {
                throw ApiException.badRequest("command", "command[" + i + "] contains a NUL character");
            }
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            words.add(text);
        }
        if (words.get(0).isEmpty()) {
            throw ApiException.badRequest("command", "command[0], the program, must not be empty");
        }
        if (bytes > MAX_COMMAND_BYTES) {
            throw ApiException.badRequest("command", "command is " + bytes + " bytes, over " + MAX_COMMAND_BYTES);
        }
        return List.copyOf(words);
    }

    private static Map<String, String> environment(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("environment", "environment must be an object of strings");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw ApiException.badRequest("environment", "not a variable name: \"" + e.getKey() + "\"");
            }
            if (!e.getValue().isTextual() || e.getValue().textValue().indexOf('\0') >= 0) {
                throw ApiException.badRequest(
                        "environment", "environment." + e.getKey() + " must be a string without NUL characters");
            }
            env.put(e.getKey(), e.getValue().textValue());
        }
        return Map.copyOf(env);
    }

    private static byte[] stdin(JsonNode body) {
        String text = optionalText(body, "stdin");
        String base64 = optionalText(body, "stdinBase64");
        if (text != null && base64 != null) {
            throw ApiException.badRequest("stdin", "give stdin or stdinBase64, not both");
        }
        byte[] bytes;
        if (base64 != null) {
            try {
                bytes = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("stdinBase64", "stdinBase64 is not valid base64: " + e.getMessage());
            }
        } else {
            bytes = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes != null && bytes.length > MAX_STDIN_BYTES) {
            throw ApiException.badRequest(
                    "stdin", "stdin is " + bytes.length + " bytes, over " + MAX_STDIN_BYTES + "; stream it instead");
        }
        return bytes;
    }

    /** Parses the duration forms the API accepts; null for absent. */
    static Duration timeout(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Duration d;
        if (node.isIntegralNumber() || node.isFloatingPointNumber()) {
            double seconds = node.asDouble();
            if (!(seconds > 0) || seconds > 31_536_000) {
                throw ApiException.badRequest("timeout", "timeout must be between 0 and one year of seconds");
            }
            d = Duration.ofMillis((long) Math.ceil(seconds * 1000));
        } else if (node.isTextual()) {
            d = parseDuration(node.textValue());
        } else {
            throw ApiException.badRequest("timeout", "timeout must be a string like \"30s\" or a number of seconds");
        }
        if (d.isZero() || d.isNegative()) {
            throw ApiException.badRequest("timeout", "timeout must be positive");
        }
        return d;
    }

    private static Duration parseDuration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("timeout", "timeout " + e.getMessage());
        }
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string, not " + kind(node));
        }
        return node.textValue();
    }

    private static boolean optionalBoolean(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.badRequest(field, field + " must be true or false, not " + kind(node));
        }
        return node.booleanValue();
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
