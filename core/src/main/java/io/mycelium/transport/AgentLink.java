package io.mycelium.transport;

import java.io.InputStream;
import java.io.OutputStream;

/** The byte pipes to one running agent, as a {@link Transport} opened them. */
public interface AgentLink {
    /** The agent's stdout: its frames, possibly preceded by junk the host printed. */
    InputStream fromAgent();

    /** The agent's stdin. */
    OutputStream toAgent();

    /** How the agent got onto the host and into its JVM, for {@code ensureAgent()}'s report. */
    String loadPath();

    /** What the host printed before the agent started (a login banner, a motd), or empty. */
    default String banner() {
        return "";
    }

    /** What the transport itself reported (e.g. ssh's stderr), to explain a lost connection; may be empty. */
    default String diagnostics() {
        return "";
    }

    /** Ends the agent: closes its stdin, and kills it when it does not exit promptly. Never blocks for long. */
    void close();
}
