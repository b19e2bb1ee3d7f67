package io.mycelium.transport;

import java.io.IOException;

/**
 * A way to start the agent somewhere and reach its stdin and stdout: a local child process, an SSH session, a
 * {@code docker exec}. One small interface with many implementations, like Nomad's task drivers; everything above it
 * (frames, credit, operations) is the same for all.
 */
public interface Transport {
    /** A short description for errors and logs, such as {@code local} or {@code ssh://deploy@web1:22}. */
    String describe();

    /**
     * Identifies the connection this transport makes, everything that changes it included (user, key, options):
     * contexts with the same key share one connection. {@link #describe()} unless a transport has more to it.
     */
    default String poolKey() {
        return describe();
    }

    /**
     * Starts an agent and connects to it. Blocks until the agent's process is running; the handshake happens above.
     *
     * @throws IOException when the agent cannot be started
     */
    AgentLink open() throws IOException;
}
