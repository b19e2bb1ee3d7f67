package io.mycelium;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a context becomes another user on its host: the tool ({@link Privilege}), the target user, and how to answer
 * the tool's password prompt. Immutable: each method returns a changed copy. {@link Session#become(Become)} makes the
 * session of the agent that runs as that user, started by the parent session's agent.
 *
 * <pre>{@code
 * Session alice = Session.ssh("alice@web1").identity(key).build();
 * Session root = alice.become(Become.sudo("root").password(PasswordSource.fromEnvironment("ALICE_PW")));
 * Session app = alice.become(Privilege.SU, "app"); // no password: su as root, or a tool rule without one
 * }</pre>
 *
 * <p>The tool runs on a pseudo-terminal (util-linux {@code script}, on every Debian and Ubuntu), because su and doas
 * read passwords only from a terminal. When the prompt matches {@link #promptPattern}, the password from the {@link
 * PasswordSource} is typed once; output matching {@link #failurePattern}, a second prompt, or the tool ending is a
 * {@link BecomeException}. Once authenticated, the terminal is put in raw mode with echo off, so the agent's binary
 * protocol passes through it unchanged.
 */
public final class Become {
    /** Matches the prompts of sudo ({@code [sudo] password for alice:}), su ({@code Password:}) and doas. */
    public static final Pattern DEFAULT_PROMPT = Pattern.compile("(?i)password[^\\r\\n]*:\\s*$");

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]*");

    private final Privilege privilege;
    private final String user;
    private final PasswordSource password;
    private final Pattern prompt;
    private final Pattern failure;
    private final Duration timeout;

    private Become(
            Privilege privilege,
            String user,
            PasswordSource password,
            Pattern prompt,
            Pattern failure,
            Duration timeout) {
        this.privilege = privilege;
        this.user = user;
        this.password = password;
        this.prompt = prompt;
        this.failure = failure;
        this.timeout = timeout;
    }

    /**
     * Becoming {@code user} with {@code privilege}, no password, the default patterns and a 20 s limit.
     *
     * @throws IllegalArgumentException when {@code user} is not a plain user name
     */
    public static Become as(Privilege privilege, String user) {
        Objects.requireNonNull(privilege, "privilege");
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("not a user name: " + user);
        }
        return new Become(privilege, user, null, DEFAULT_PROMPT, defaultFailure(privilege), Duration.ofSeconds(20));
    }

    /** {@code sudo -u user}. */
    public static Become sudo(String user) {
        return as(Privilege.SUDO, user);
    }

    /** {@code su user}. */
    public static Become su(String user) {
        return as(Privilege.SU, user);
    }

    /** {@code doas -u user}. */
    public static Become doas(String user) {
        return as(Privilege.DOAS, user);
    }

    /**
     * What the tool says when it refuses, by default: sudo's {@code Sorry, try again}, {@code incorrect password},
     * {@code is not in the sudoers file}, {@code is not allowed}; su's {@code Authentication failure}; doas's
     * {@code Authentication failed} and {@code not permitted}. A tool that ends, or prompts a second time, is a refusal
     * too whatever it said.
     */
    public static Pattern defaultFailure(Privilege privilege) {
        return switch (privilege) {
            case SUDO ->
                Pattern.compile("(?i)sorry, try again|incorrect password|not in the sudoers file|is not allowed to"
                        + "|a password is required|unknown user");
            case SU -> Pattern.compile("(?i)authentication failure|incorrect password|does not exist");
            case DOAS -> Pattern.compile("(?i)authentication failed|not permitted|unknown user");
        };
    }

    /** Answers a password prompt from {@code source}; without one, a prompt is a {@link BecomeException}. */
    public Become password(PasswordSource source) {
        return new Become(privilege, user, Objects.requireNonNull(source, "source"), prompt, failure, timeout);
    }

    /** What the tool's password prompt looks like (a {@code find} on the output since the start or the answer). */
    public Become promptPattern(Pattern pattern) {
        return new Become(privilege, user, password, Objects.requireNonNull(pattern, "pattern"), failure, timeout);
    }

    /** What the tool says when it refuses (a {@code find} on its output). */
    public Become failurePattern(Pattern pattern) {
        return new Become(privilege, user, password, prompt, Objects.requireNonNull(pattern, "pattern"), timeout);
    }

    /**
     * The longest the whole dialogue may take, from starting the tool to the shell it starts being ready for stage 1,
     * the password typed on the way; past it the tool is killed and the escalation fails with {@link
     * BecomeException}. 20 s unless changed.
     */
    public Become timeout(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive: " + limit);
        }
        return new Become(privilege, user, password, prompt, failure, limit);
    }

    /** The tool. */
    public Privilege privilege() {
        return privilege;
    }

    /** The target user. */
    public String user() {
        return user;
    }

    PasswordSource passwordSource() {
        return password;
    }

    Pattern prompt() {
        return prompt;
    }

    Pattern failure() {
        return failure;
    }

    Duration timeout() {
        return timeout;
    }

    /** {@code sudo:root}, as in the CLI's {@code --become}. */
    @Override
    public String toString() {
        return privilege.program() + ":" + user;
    }
}
