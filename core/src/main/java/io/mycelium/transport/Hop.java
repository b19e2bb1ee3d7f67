package io.mycelium.transport;

import java.io.IOException;
import java.util.List;

/**
 * A running agent that starts programs on its host for a {@link ViaTransport}: the parent of a context started
 * through it. The program's stdin and stdout travel as one stream of the parent's connection, under that stream's
 * credit windows.
 */
public interface Hop {
    /** The parent context's name, for errors: the hop a failure happened on. */
    String name();

    /**
     * Starts {@code argv} on the parent's host.
     *
     * @param identity an SSH private key the program needs there, or null; its path replaces {@code {identity}} in
     *     {@code argv}
     * @param knownHosts a known_hosts file the program needs there, or null; its path replaces {@code {known_hosts}}
     * @throws IOException when the parent is closed
     */
    HopProcess start(List<String> argv, byte[] identity, byte[] knownHosts) throws IOException;
}
