package io.mycelium;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.JavaRuntime;
import io.mycelium.transport.OpenSsh;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link Session} for a host reached over SSH. Immutable: each method returns a changed copy.
 *
 * <pre>{@code
 * Session web1 = Session.ssh("deploy@web1:2222").identity(Path.of("/keys/deploy")).build();
 * }</pre>
 */
public final class SshSession {
    private final String host;
    private final String user;
    private final int port;
    private final Path identity;
    private final Path knownHosts;
    private final OpenSsh.HostKeyPolicy hostKeyPolicy;
    private final BootstrapPlan.JarPlacement placement;
    private final boolean cacheRuntime;
    private final Duration connectTimeout;
    private final Duration bootstrapTimeout;
    private final List<String> options;

    private SshSession(
            String host,
            String user,
            int port,
            Path identity,
            Path knownHosts,
            OpenSsh.HostKeyPolicy hostKeyPolicy,
            BootstrapPlan.JarPlacement placement,
            boolean cacheRuntime,
            Duration connectTimeout,
            Duration bootstrapTimeout,
            List<String> options) {
        this.host = host;
        this.user = user;
        this.port = port;
        this.identity = identity;
        this.knownHosts = knownHosts;
        this.hostKeyPolicy = hostKeyPolicy;
        this.placement = placement;
        this.cacheRuntime = cacheRuntime;
        this.connectTimeout = connectTimeout;
        this.bootstrapTimeout = bootstrapTimeout;
        this.options = List.copyOf(options);
    }

    static SshSession parse(String target) {
        Objects.requireNonNull(target, "target");
        String rest = target.strip();
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        int port = 0;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && rest.indexOf(':') == colon) {
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid port in " + target + ": use [user@]host[:port]");
            }
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty() || (user != null && user.isEmpty())) {
            throw new IllegalArgumentException("invalid SSH target " + target + ": use [user@]host[:port]");
        }
        return new SshSession(
                rest,
                user,
                port,
                null,
                null,
                OpenSsh.HostKeyPolicy.STRICT,
                BootstrapPlan.JarPlacement.AUTO,
                true,
                Duration.ofSeconds(15),
                Duration.ofSeconds(120),
                List.of());
    }

    private SshSession with(
            Path identity,
            Path knownHosts,
            OpenSsh.HostKeyPolicy policy,
            BootstrapPlan.JarPlacement placement,
            boolean cacheRuntime,
            Duration bootstrapTimeout,
            List<String> options) {
        return new SshSession(
                host,
                user,
                port,
                identity,
                knownHosts,
                policy,
                placement,
                cacheRuntime,
                connectTimeout,
                bootstrapTimeout,
                options);
    }

    /** Logs in with this private key only (otherwise ssh's own choice: config, agent, default keys). */
    public SshSession identity(Path privateKey) {
        return with(privateKey, knownHosts, hostKeyPolicy, placement, cacheRuntime, bootstrapTimeout, options);
    }

    /** Checks host keys against this file instead of the user's known_hosts. */
    public SshSession knownHosts(Path file) {
        return with(identity, file, hostKeyPolicy, placement, cacheRuntime, bootstrapTimeout, options);
    }

    /** How unknown host keys are treated; {@link OpenSsh.HostKeyPolicy#STRICT} unless changed. */
    public SshSession hostKeyPolicy(OpenSsh.HostKeyPolicy policy) {
        return with(identity, knownHosts, policy, placement, cacheRuntime, bootstrapTimeout, options);
    }

    /** Where the agent jar goes on the host; automatic unless forced (for tests of each path). */
    public SshSession jarPlacement(BootstrapPlan.JarPlacement where) {
        return with(identity, knownHosts, hostKeyPolicy, where, cacheRuntime, bootstrapTimeout, options);
    }

    /**
     * Whether a Java runtime shipped to a host without Java may stay in its {@code ~/.cache/mycelium} (true unless
     * changed); otherwise, and on read-only hosts, it goes to {@code /dev/shm} and is removed when the session ends.
     */
    public SshSession cacheRuntime(boolean cache) {
        return with(identity, knownHosts, hostKeyPolicy, placement, cache, bootstrapTimeout, options);
    }

    /** The longest starting the agent may take, a runtime upload included (120 s unless changed). */
    public SshSession bootstrapTimeout(Duration limit) {
        return with(identity, knownHosts, hostKeyPolicy, placement, cacheRuntime, limit, options);
    }

    /** One more {@code -o Key=Value} option for the ssh client. */
    public SshSession option(String keyValue) {
        List<String> more = new ArrayList<>(options);
        more.add(keyValue);
        return with(identity, knownHosts, hostKeyPolicy, placement, cacheRuntime, bootstrapTimeout, more);
    }

    /** The session, with the OpenSSH client as transport. */
    public Session build() {
        OpenSsh.Target target =
                new OpenSsh.Target(host, user, port, identity, knownHosts, hostKeyPolicy, connectTimeout, options);
        CommandTransport.Options bootstrap =
                new CommandTransport.Options(placement, JavaRuntime.embedded(), cacheRuntime, bootstrapTimeout);
        return Session.over(
                (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port),
                OpenSsh.transport(target, bootstrap));
    }
}
