package io.mycelium;

import io.mycelium.bootstrap.Stage1;
import io.mycelium.transport.HopProcess;
import io.mycelium.transport.LinkCommand;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;

/**
 * Starts stage 1 under sudo, su or doas on a pseudo-terminal, and talks to the tool until the shell it starts says it
 * is ready: then the terminal is raw (no echo, no line editing, no CR/LF translation, no signal characters), so the
 * bootstrap and the agent's frames pass through it byte for byte. The shell's stderr goes to /dev/null from then on: on
 * a terminal it would land in the frame stream.
 *
 * <pre>
 *   script -qfec "sudo -H -u USER -- /bin/sh -c 'stty raw -echo -iexten &amp;&amp; exec 2&gt;/dev/null &amp;&amp;
 *                 printf %s%s MYCELIUM-BECOME- READY &amp;&amp; STAGE1'" /dev/null
 * </pre>
 *
 * The ready marker is printed in two halves so that a tool quoting its command line (sudo's "not allowed to execute")
 * never shows it whole.
 */
final class BecomeDialogue implements LinkCommand {
    static final String READY = "MYCELIUM-BECOME-READY";
    /** Output kept for matching and for messages; a tool's prompt and refusal are far shorter. */
    private static final int KEEP = 4096;

    private final Become become;

    BecomeDialogue(Become become) {
        this.become = become;
    }

    @Override
    public List<String> argv(String stage1) {
        String shell = "stty raw -echo -iexten && exec 2>/dev/null && printf %s%s MYCELIUM-BECOME- READY && " + stage1;
        String user = become.user();
        String tool = switch (become.privilege()) {
            case SUDO -> "sudo -H -u " + user + " -- /bin/sh -c " + Stage1.quote(shell);
            case SU -> "su -c " + Stage1.quote(shell) + " " + user;
            case DOAS -> "doas -u " + user + " /bin/sh -c " + Stage1.quote(shell);
        };
        return List.of("script", "-qfec", tool, "/dev/null");
    }

    @Override
    public String key() {
        return become + " prompt=" + become.prompt() + " failure=" + become.failure();
    }

    @Override
    public void prepare(HopProcess program, String hopName) throws IOException {
        AtomicBoolean expired = new AtomicBoolean();
        CompletableFuture<Void> timer = new CompletableFuture<>();
        timer.completeOnTimeout(null, become.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (expired.compareAndSet(false, true)) {
                        program.kill();
                    }
                });
        try {
            converse(program, hopName, expired);
        } finally {
            expired.compareAndSet(false, true);
            timer.complete(null);
        }
    }

    private void converse(HopProcess program, String hopName, AtomicBoolean expired) throws IOException {
        InputStream in = program.stdout();
        OutputStream out = program.stdin();
        ByteArrayOutputStream since = new ByteArrayOutputStream();
        byte[] typed = null;
        int refusedAt = -1;
        try {
            while (true) {
                int b = in.read();
                if (b < 0 && refusedAt >= 0) {
                    throw refusal(since.toString(StandardCharsets.ISO_8859_1), refusedAt, typed);
                }
                if (b < 0) {
                    throw expired.get() ? timedOut(since, typed) : ended(program, since, typed);
                }
                since.write(b);
                if (refusedAt >= 0) {
                    if (b == '\n' || b == '\r' || since.size() > refusedAt + 512) {
                        throw refusal(since.toString(StandardCharsets.ISO_8859_1), refusedAt, typed);
                    }
                    continue;
                }
                String text = since.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith(READY)) {
                    return;
                }
                Matcher refused = become.failure().matcher(text);
                if (refused.find()) {
                    // The rest of the line first: it completes what the tool said.
                    refusedAt = refused.start();
                    continue;
                }
                Matcher prompt = become.prompt().matcher(text);
                if (prompt.find()) {
                    String asked = lineOf(text, prompt.start(), typed);
                    if (typed != null) {
                        throw failure(" refused the password: it asked again (\"" + asked + "\")");
                    }
                    typed = answer(asked, out);
                    since.reset();
                } else if (since.size() > KEEP) {
                    byte[] all = since.toByteArray();
                    since.reset();
                    since.write(all, all.length - KEEP / 2, KEEP / 2);
                }
            }
        } finally {
            if (typed != null) {
                Arrays.fill(typed, (byte) 0);
            }
        }
    }

    private OperationFailedException refusal(String text, int at, byte[] typed) {
        return failure((typed == null ? " refused" : " refused the password") + ": it said \"" + lineOf(text, at, typed)
                + "\"");
    }

    /** Types the password and a newline; returns its bytes, kept only to keep them out of messages. */
    private byte[] answer(String asked, OutputStream out) throws IOException {
        PasswordSource source = become.passwordSource();
        char[] secret = source == null ? null : source.password(asked);
        if (secret == null) {
            throw failure(" asks for a password (\"" + asked + "\") and none was given: pass one with"
                    + " Become.password(...) (CLI: --become-password-env VAR), or allow "
                    + become.privilege().program()
                    + " without a password for this user");
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        Arrays.fill(secret, '\0');
        byte[] line = new byte[encoded.remaining() + 1];
        encoded.get(line, 0, line.length - 1);
        Arrays.fill(encoded.array(), (byte) 0);
        line[line.length - 1] = '\n';
        byte[] typed = Arrays.copyOf(line, line.length - 1);
        try {
            out.write(line);
            out.flush();
        } finally {
            Arrays.fill(line, (byte) 0);
        }
        return typed;
    }

    private OperationFailedException ended(HopProcess program, ByteArrayOutputStream since, byte[] typed) {
        int exit = program.awaitExit(Duration.ofSeconds(2));
        String said = lastLine(since.toString(StandardCharsets.UTF_8), typed);
        return failure(" ended before the agent started" + (exit < 0 ? "" : " (exit status " + exit + ")")
                + (said.isEmpty() ? "" : ": it said \"" + said + "\"")
                + (exit == 127 ? "; is util-linux script (package bsdutils) on the host?" : ""));
    }

    private OperationFailedException timedOut(ByteArrayOutputStream since, byte[] typed) {
        String said = lastLine(since.toString(StandardCharsets.UTF_8), typed);
        return failure(" neither " + (typed == null ? "asked for a password" : "accepted the password")
                + " nor started the agent within " + become.timeout()
                + (said.isEmpty() ? "" : "; it said \"" + said + "\"")
                + (typed == null ? "; if its prompt looks different, set Become.promptPattern" : ""));
    }

    private OperationFailedException failure(String what) {
        return new OperationFailedException(
                ErrorCode.BECOME_FAILED, become.privilege().program() + " to " + become.user() + what, null);
    }

    /**
     * The line of {@code text} (bytes as ISO-8859-1 chars) around {@code at}, stripped, without the password should a
     * tool have echoed it.
     */
    private static String lineOf(String text, int at, byte[] typed) {
        int start = Math.max(text.lastIndexOf('\n', at), text.lastIndexOf('\r', at)) + 1;
        int end = text.length();
        for (int i = at; i < text.length(); i++) {
            if (text.charAt(i) == '\n' || text.charAt(i) == '\r') {
                end = i;
                break;
            }
        }
        // The text is the output's bytes one char each; the tool wrote UTF-8 (or ASCII).
        String line =
                new String(text.substring(start, end).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return redact(line.strip(), typed);
    }

    private static String lastLine(String text, byte[] typed) {
        String last = text.strip()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .reduce((a, b) -> b)
                .orElse("");
        return redact(last, typed);
    }

    private static String redact(String said, byte[] typed) {
        if (typed == null || typed.length == 0) {
            return said;
        }
        return said.replace(new String(typed, StandardCharsets.ISO_8859_1), "****")
                .replace(new String(typed, StandardCharsets.UTF_8), "****");
    }
}
