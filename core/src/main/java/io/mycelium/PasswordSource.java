package io.mycelium;

/**
 * Where the password for {@link Become} comes from, asked only when the tool prompts for one. The password stays in
 * this JVM's memory and travels only as the escalation tool's input, through the agents' connections: it is never
 * written to a file, a command line, an environment or a log.
 */
@FunctionalInterface
public interface PasswordSource {
    /**
     * The password to answer {@code prompt} with, or null when there is none (the escalation then fails with {@link
     * BecomeException}). Called on a thread that may block, at most once per connection attempt. The caller clears the
     * returned array after use, so return a fresh copy each time.
     *
     * @param prompt the line the tool printed, e.g. {@code [sudo] password for alice:}
     */
    char[] password(String prompt);

    /** A source that answers with a copy of {@code password} every time. */
    static PasswordSource of(char[] password) {
        char[] kept = password.clone();
        return prompt -> kept.clone();
    }

    /**
     * A source that reads the environment variable {@code name} of this process when the tool asks; none when it is
     * unset.
     */
    static PasswordSource fromEnvironment(String name) {
        return prompt -> {
            String value = System.getenv(name);
            return value == null ? null : value.toCharArray();
        };
    }
}
