package io.mycelium.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Durations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A validated task submission, read from its JSON form by {@link #parse(JsonNode, TaskSettings)}:
 *
 * <pre>{@code
 * {"target": "web1",                 a registered host; or
 *  "capability": "build",            a capability worker agents advertise (exactly one of the two)
 *  "command": ["make", "test"],       required, 1..4096 strings, no NUL, 256 KiB in all
 *  "maxAttempts": 3,                  optional, 1..mycelium.node.tasks.max-max-attempts
 *  "backoff": {"initial": "1s", "max": "1m"},   optional
 *  "deadline": "1h",                  optional: how long the task may take from its submission (or a redrive)
 *  "timeout": "10m",                  optional: how long one attempt may run
 *  "idempotencyKey": "build-1234"}    optional, 1..200 characters
 * }</pre>
 *
 * <p>Durations are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h} or ISO-8601 ({@code PT30S}).
 */
public record TaskRequest(
        String target,
        String capability,
        List<String> command,
        int maxAttempts,
        Duration backoffInitial,
        Duration backoffMax,
        Duration deadline,
        Duration timeout,
        String idempotencyKey) {

    private static final Set<String> FIELDS = Set.of(
            "target", "capability", "command", "maxAttempts", "backoff", "deadline", "timeout", "idempotencyKey");
    private static final int MAX_ARGS = 4096;
    private static final int MAX_COMMAND_BYTES = 256 * 1024;

    /** Parses and validates; throws {@link ApiException} (400) naming the field. */
    public static TaskRequest parse(JsonNode body, TaskSettings settings) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest(name, "unknown field \"" + name + "\"; known fields: " + FIELDS);
            }
        }
        String target = name(body, "target");
        String capability = name(body, "capability");
        if ((target == null) == (capability == null)) {
            throw ApiException.badRequest(
                    target == null ? "target" : "capability",
                    "give either target (a registered host to run on) or capability (what a worker agent must"
                            + " advertise), not both or neither");
        }
        int maxAttempts = settings.defaultMaxAttempts();
        JsonNode attempts = body.get("maxAttempts");
        if (attempts != null) {
            if (!attempts.canConvertToInt()
                    || !attempts.isIntegralNumber()
                    || attempts.intValue() < 1
                    || attempts.intValue() > settings.maxMaxAttempts()) {
                throw ApiException.badRequest(
                        "maxAttempts", "maxAttempts must be a whole number from 1 to " + settings.maxMaxAttempts());
            }
            maxAttempts = attempts.intValue();
        }
        Duration initial = settings.backoffInitial();
        Duration max = settings.backoffMax();
        JsonNode backoff = body.get("backoff");
        if (backoff != null) {
            if (!backoff.isObject()) {
                throw ApiException.badRequest("backoff", "backoff must be an object {\"initial\": .., \"max\": ..}");
            }
            for (Iterator<String> names = backoff.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("initial") && !name.equals("max")) {
                    throw ApiException.badRequest("backoff." + name, "unknown field backoff." + name);
                }
            }
            if (backoff.has("initial")) {
                initial = duration(backoff.get("initial"), "backoff.initial");
            }
            if (backoff.has("max")) {
                max = duration(backoff.get("max"), "backoff.max");
            }
            if (max.compareTo(initial) < 0) {
                throw ApiException.badRequest("backoff.max", "backoff.max must not be shorter than backoff.initial");
            }
        }
        Duration deadline =
                body.has("deadline") ? duration(body.get("deadline"), "deadline") : settings.defaultDeadline();
        Duration timeout = body.has("timeout") ? duration(body.get("timeout"), "timeout") : settings.attemptTimeout();
        String key = null;
        JsonNode k = body.get("idempotencyKey");
        if (k != null) {
            if (!k.isTextual() || k.textValue().isEmpty() || k.textValue().length() > 200) {
                throw ApiException.badRequest("idempotencyKey", "idempotencyKey must be a string of 1-200 characters");
            }
            key = k.textValue();
        }
        return new TaskRequest(
                target, capability, command(body.get("command")), maxAttempts, initial, max, deadline, timeout, key);
    }

    private static String name(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw ApiException.badRequest(field, field + " must be a non-empty string");
        }
        return node.textValue();
    }

    private static List<String> command(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiException.badRequest("command", "command is required: a non-empty array of strings");
        }
        if (node.size() > MAX_ARGS) {
            throw ApiException.badRequest("command", "command has more than " + MAX_ARGS + " arguments");
        }
        List<String> command = new ArrayList<>(node.size());
        long bytes = 0;
        for (int i = 0; i < node.size(); i++) {
            JsonNode arg = node.get(i);
            if (!arg.isTextual()) {
                throw ApiException.badRequest("command[" + i + "]", "command[" + i + "] must be a string");
            }
            String text = arg.textValue();
            if (text.indexOf('\0') >= 0) {
                throw ApiException.badRequest("command[" + i + "]", "command[" + i + "] contains a NUL character");
            }
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            command.add(text);
        }
        if (command.get(0).isEmpty()) {
            throw ApiException.badRequest("command[0]", "command[0] (the program) is empty");
        }
        if (bytes > MAX_COMMAND_BYTES) {
            throw ApiException.badRequest("command", "command is longer than " + MAX_COMMAND_BYTES + " bytes");
        }
        return List.copyOf(command);
    }

    private static Duration duration(JsonNode node, String field) {
        if (node == null || !node.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string like \"30s\" or \"PT30S\"");
        }
        Duration d;
        try {
            d = Durations.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + ": " + e.getMessage());
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(366)) > 0) {
            throw ApiException.badRequest(field, field + " must be positive and at most a year");
        }
        return d;
    }
}
