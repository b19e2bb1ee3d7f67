package io.mycelium.exec.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from commands and environments before they are journaled or logged: values of arguments and
 * variables whose name says secret ({@code --password=x}, {@code --token x}, {@code API_KEY=x}), and passwords in
 * URLs ({@code https://user:secret@host}). What it cannot recognise it cannot redact: the audit trail is no place
 * for a secret passed as a bare positional argument, and the API documentation says so.
 */
public final class SecretRedactor {
    /** What replaces a secret. */
    public static final String MASK = "***";

    private static final String SECRET_WORD = "(?:pass(?:word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key"
            + "|private[-_]?key|credentials?|auth(?:orization)?|session|cookie|pwd)";
    private static final Pattern NAME = Pattern.compile("(?i).*" + SECRET_WORD + ".*");
    private static final Pattern FLAG = Pattern.compile("(?i)-{1,2}[a-z0-9_-]*" + SECRET_WORD + "[a-z0-9_-]*");
    private static final Pattern ASSIGNMENT =
            Pattern.compile("(?i)(-{0,2}[a-z0-9_.-]*" + SECRET_WORD + "[a-z0-9_.-]*[=:])(.+)");
    private static final Pattern URL_PASSWORD =
            Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:\\s]+:)([^/@\\s]+)(@)");
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)((?:authorization|cookie):\\s*)(.+)");

    private SecretRedactor() {}

    /** The command with secret values masked. */
    public static List<String> command(List<String> command) {
        List<String> out = new ArrayList<>(command.size());
        boolean nextIsSecret = false;
        for (String arg : command) {
            if (nextIsSecret) {
                out.add(MASK);
                nextIsSecret = false;
                continue;
            }
            if (FLAG.matcher(arg).matches()) {
                out.add(arg);
                nextIsSecret = true;
                continue;
            }
            out.add(redactWord(arg));
        }
        return out;
    }

    /** The environment with the values of secret-named variables masked. */
    public static Map<String, String> environment(Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        environment.forEach((name, value) -> out.put(name, NAME.matcher(name).matches() ? MASK : redactWord(value)));
        return out;
    }

    private static String redactWord(String arg) {
        Matcher header = AUTH_HEADER.matcher(arg);
        if (header.matches()) {
            return header.group(1) + MASK;
        }
        Matcher assignment = ASSIGNMENT.matcher(arg);
        if (assignment.matches() && !assignment.group(1).contains("://")) {
            return assignment.group(1) + MASK;
        }
        return URL_PASSWORD.matcher(arg).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
    }
}
