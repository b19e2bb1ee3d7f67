package io.mycelium.transport;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.bootstrap.HostProbe;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's half of stage 1, over any channel to a POSIX shell on the host (an {@code ssh} process, a MINA
 * exec channel, {@code docker exec}): reads the host's report, decides the {@link BootstrapPlan}, and sends the plan
 * line followed by exactly the bytes it announces. After it returns, the channel carries the agent's frames.
 */
final class Bootstrapper {
    private static final String START = "MYCELIUM-STAGE1 1";
    private static final String END = "MYCELIUM-PROBE-END";
    private static final String ERROR = "MYCELIUM-ERROR ";
    private static final int MAX_BANNER = 64 * 1024;

    /** Stage 1's output ended before its report was complete; the transport knows why (exit code, stderr). */
    static final class StageEnded extends IOException {
        StageEnded(String message) {
            super(message);
        }
    }

    /** What the bootstrap did. */
    record Result(HostProbe probe, BootstrapPlan plan, long runtimeBytesSent) {
        String loadPath() {
            return plan.loadPath() + "; " + plan.javaSource();
        }
    }

    private Bootstrapper() {}

    static Result run(String host, InputStream fromHost, OutputStream toHost, CommandTransport.Options options)
            throws IOException {
        JavaRuntime runtime = options.runtime();
        ArtifactSigner signer = options.signer();
        StringBuilder banner = new StringBuilder();
        String line;
        while (!(line = readLine(fromHost, host)).equals(START)) {
            if (banner.length() < MAX_BANNER) {
                banner.append(line).append('\n');
            }
        }
        List<String> report = new ArrayList<>();
        while (!(line = readLine(fromHost, host)).equals(END)) {
            if (line.startsWith(ERROR)) {
                throw new OperationFailedException(ErrorCode.BOOTSTRAP_FAILED, host + ": " + line, null);
            }
            report.add(line);
        }
        HostProbe probe = HostProbe.parse(report, banner.toString());
        BootstrapPlan plan = BootstrapPlan.decide(
                host,
                probe,
                options.placement(),
                runtime == null ? null : runtime.descriptor(),
                options.cacheRuntime(),
                signer != null);
        AgentJar agent = AgentJar.embedded();
        byte[] jar = agent.bytes();
        long runtimeLength = plan.sendRuntime() ? runtime.size() : 0;
        byte[] jarSignature = plan.signed() && plan.sendJar() ? signer.signAgent(agent) : new byte[0];
        byte[] runtimeSignature = plan.signed() && plan.sendRuntime() ? signer.signRuntime(runtime) : new byte[0];
        toHost.write(plan.planLine(jar.length, runtimeLength, jarSignature.length, runtimeSignature.length)
                .getBytes(StandardCharsets.US_ASCII));
        if (plan.sendRuntime()) {
            toHost.write(runtimeSignature);
            runtime.writeTo(toHost);
        }
        if (plan.sendJar()) {
            toHost.write(jarSignature);
            toHost.write(jar);
        }
        toHost.flush();
        return new Result(probe, plan, runtimeLength);
    }

    /** One line, read a byte at a time so not a byte of what follows is taken from the channel. */
    private static String readLine(InputStream in, String host) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new StageEnded("the connection to " + host + " ended before stage 1 reported"
                        + (line.size() > 0 ? "; last output: " + line.toString(StandardCharsets.UTF_8) : ""));
            }
            if (line.size() < MAX_BANNER) {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
