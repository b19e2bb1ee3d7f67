package io.mycelium.exec;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the exec API, from {@code mycelium.node.exec}.
 *
 * @param outputTailBytes the most stdout (and, apart, stderr) bytes a unary response carries; the rest is dropped
 *     from the response (the process still runs to its end) and the response says it was truncated
 * @param askTimeout how long the node waits for an entity's answer
 * @param approvalTimeout how long a request pending approval waits before it is cancelled
 * @param probeInterval how often an execution whose outcome is open checks that its context still runs it
 * @param startGrace how long an authorized execution may take to start before a probe may close it as lost
 */
public record ExecSettings(
        int outputTailBytes,
        Duration askTimeout,
        Duration approvalTimeout,
        Duration probeInterval,
        Duration startGrace) {

    /** Reads {@code mycelium.node.exec}. */
    public static ExecSettings fromConfig(Config config) {
        Config c = config.getConfig("mycelium.node.exec");
        return new ExecSettings(
                (int) Math.min(Integer.MAX_VALUE, c.getBytes("output-tail").longValue()),
                c.getDuration("ask-timeout"),
                c.getDuration("approval-timeout"),
                c.getDuration("probe-interval"),
                c.getDuration("start-grace"));
    }
}
