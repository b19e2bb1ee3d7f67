package io.mycelium.exec;

import io.mycelium.api.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * The terminal a {@code tty} request runs on. The agent has no PTY of its own (Java has no PTY API), so the command
 * runs under util-linux {@code script} on the host, which opens a pseudo-terminal, runs the command in it and relays
 * its bytes over the agent's pipes:
 *
 * <pre>{@code
 * script -qfec 'stty cols 120 rows 40 2>/dev/null; exec '\''prog'\'' '\''arg'\''' /dev/null
 * }</pre>
 *
 * <p>What follows: stdout and stderr arrive merged on stdout, with the terminal's line discipline ({@code \r\n},
 * echo of input); the size is set once at the start; the host needs {@code script} (Debian's {@code bsdutils}, which
 * every Debian and Ubuntu has), else the command exits 127.
 *
 * @param cols columns, 1..1000
 * @param rows rows, 1..1000
 */
public record Terminal(int cols, int rows) {
    /** The size when the request gives none. */
    public static final Terminal DEFAULT = new Terminal(80, 24);

    private static final int MAX = 1000;

    /** Validates the size; a 400 naming {@code terminal} otherwise. */
    public Terminal {
        if (cols < 1 || cols > MAX || rows < 1 || rows > MAX) {
            throw ApiException.badRequest(
                    "terminal", "terminal cols and rows must be 1-" + MAX + ", not " + cols + "x" + rows);
        }
    }

    /** {@code command} run on a pseudo-terminal of this size, its words quoted for {@code script}'s shell. */
    public List<String> wrap(List<String> command) {
        StringBuilder line = new StringBuilder()
                .append("stty cols ")
                .append(cols)
                .append(" rows ")
                .append(rows)
                .append(" 2>/dev/null; exec");
        for (String word : command) {
            line.append(' ').append(quote(word));
        }
        // A mutable list: it crosses the cluster in a RunSpec, and Kryo copies JDK immutable lists poorly.
        return new ArrayList<>(List.of("script", "-qfec", line.toString(), "/dev/null"));
    }

    /** A word in single quotes; a quote inside becomes {@code '\''}. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
