package io.mycelium;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Tuning of a context's connection, from {@code mycelium.context} in the configuration (see reference.conf).
 *
 * @param maxFrameLength the largest frame payload accepted from the agent
 * @param initialWindow the credit granted to the agent on every data channel of a new stream
 * @param chunkSize the largest data chunk sent to the agent
 * @param handshakeTimeout how long the agent may take from start to its Hello
 * @param keepaliveInterval how often an idle connection is pinged
 * @param keepaliveTimeout how long a ping may go unanswered before the connection counts as lost
 * @param idleTimeout how long a connection with no operation stays open
 * @param reconnectBackoffMin the wait before connecting again after the second failure in a row
 * @param reconnectBackoffMax the longest wait between failed connection attempts
 */
record ContextSettings(
        int maxFrameLength,
        int initialWindow,
        int chunkSize,
        Duration handshakeTimeout,
        Duration keepaliveInterval,
        Duration keepaliveTimeout,
        Duration idleTimeout,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax) {

    static ContextSettings from(Config config) {
        Config c = config.getConfig("mycelium.context");
        return new ContextSettings(
                (int) c.getBytes("max-frame-length").longValue(),
                (int) c.getBytes("initial-window").longValue(),
                (int) c.getBytes("chunk-size").longValue(),
                c.getDuration("handshake-timeout"),
                c.getDuration("keepalive-interval"),
                c.getDuration("keepalive-timeout"),
                c.getDuration("idle-timeout"),
                c.getDuration("reconnect-backoff-min"),
                c.getDuration("reconnect-backoff-max"));
    }
}
