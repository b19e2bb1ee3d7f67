package io.mycelium.testhosts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out loopback addresses 127.0.0.10 to 127.0.0.250 for test hosts' sshd, each held by one host of this JVM at a
 * time. The first address is random, so JVMs running side by side rarely try the same one; after that they go round in
 * order, so an address comes back only after every other one has been used. An address is handed out only when
 * address:port can be bound right now.
 */
final class LoopbackAddresses {
    static final int FIRST = 10;
    static final int LAST = 250;
    private static final int COUNT = LAST - FIRST + 1;

    private static final Set<String> claimed = new HashSet<>();
    private static int next = FIRST + ThreadLocalRandom.current().nextInt(COUNT);

    private LoopbackAddresses() {}

    /** Claims a free address for {@code port}; {@link #release} gives it back. */
    static synchronized String claim(int port) {
        for (int i = 0; i < COUNT; i++) {
            String address = "127.0.0." + next;
            next = next == LAST ? FIRST : next + 1;
            if (!claimed.contains(address) && bindable(address, port)) {
                claimed.add(address);
                return address;
            }
        }
        throw new IllegalStateException("no loopback address 127.0.0." + FIRST + "-" + LAST + " is free on port " + port
                + " (" + claimed.size() + " held by test hosts of this JVM)");
    }

    static synchronized void release(String address) {
        claimed.remove(address);
    }

    /** True when nothing listens on address:port (a wildcard listener on the port counts). */
    static boolean bindable(String address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
