package io.mycelium.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stage-1 script that starts the agent on a host: a short POSIX sh program sent on the command line (Mitogen's
 * idea), so nothing needs to exist on the host beforehand. The readable source is {@code stage1.sh} beside this class;
 * it is joined into one line here, because a login shell such as csh cannot take a quoted string over several lines.
 */
public final class Stage1 {
    private static final String SOURCE = load();
    private static final String ONE_LINE = join(SOURCE);

    private Stage1() {}

    /**
     * The command a login shell runs to start stage 1: {@code exec /bin/sh -c '<script>' mycelium-stage1 SHA RT}.
     *
     * @param agentSha256 hex sha256 of the agent jar the controller will send
     * @param runtimeSha256 hex sha256 of the Java runtime archive it could send, or null when it has none
     */
    public static String remoteCommand(String agentSha256, String runtimeSha256) {
        return "exec /bin/sh -c " + quote(ONE_LINE) + " mycelium-stage1 " + agentSha256 + " "
                + (runtimeSha256 == null ? "-" : runtimeSha256);
    }

    /** The script as it runs, on one line. */
    public static String script() {
        return ONE_LINE;
    }

    /** Quotes {@code text} as one word for a POSIX shell (and csh, fish): single quotes, each ' as '\''. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /**
     * Joins the script's lines: comment and blank lines go; a line that opens a block ({@code then}, {@code do},
     * {@code else}, {@code \{}) or continues a pipeline is followed by a space, any other by {@code ; }.
     */
    static String join(String source) {
        List<String> lines = new ArrayList<>();
        for (String raw : source.split("\n")) {
            String line = raw.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                lines.add(line);
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            out.append(line);
            if (i == lines.size() - 1) {
                break;
            }
            boolean opensBlock = line.endsWith(" then")
                    || line.endsWith(" do")
                    || line.equals("else")
                    || line.endsWith("{")
                    || line.endsWith("|")
                    || line.endsWith("&&")
                    || line.endsWith("||");
            out.append(opensBlock ? " " : "; ");
        }
        return out.toString();
    }

    private static String load() {
        try (InputStream in = Stage1.class.getResourceAsStream("stage1.sh")) {
            if (in == null) {
                throw new IllegalStateException("stage1.sh is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
