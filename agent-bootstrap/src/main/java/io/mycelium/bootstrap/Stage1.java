package io.mycelium.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The stage-1 script that starts the agent on a host: a short POSIX sh program sent on the command line (Mitogen's
 * idea), so nothing needs to exist on the host beforehand. The source is {@code stage1.sh} beside this class. It
 * travels base64-encoded, like Mitogen's first stage, so no login shell (csh with its {@code !} history, fish) ever
 * parses a character of it: the shell sees only {@code exec /bin/sh -c 'eval "`echo BASE64 | base64 -d`"'}.
 */
public final class Stage1 {
    private static final String ENCODED = Base64.getEncoder().encodeToString(load().getBytes(StandardCharsets.UTF_8));

    private Stage1() {}

    /**
     * The command a login shell runs to start stage 1.
     *
     * @param agentSha256 hex sha256 of the agent jar the controller will send
     * @param runtimeSha256 hex sha256 of the Java runtime archive it could send, or null when it has none
     */
    public static String remoteCommand(String agentSha256, String runtimeSha256) {
        return "exec /bin/sh -c " + quote("eval \"`echo " + ENCODED + " | base64 -d`\"") + " mycelium-stage1 "
                + agentSha256 + " " + (runtimeSha256 == null ? "-" : runtimeSha256);
    }

    /** Quotes {@code text} as one word for a POSIX shell (and csh, fish): single quotes, each ' as '\''. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
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
