package io.mycelium;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.transport.ArtifactSigner;
import io.mycelium.transport.CommandTransport;
import io.mycelium.transport.JavaRuntime;
import io.mycelium.transport.MinaSsh;
import io.mycelium.transport.OpenSsh;
import io.mycelium.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a {@link Session} for a host reached over SSH. Immutable: each method returns a changed copy.
 *
 * <pre>{@code
 * Session web1 = Session.ssh("deploy@web1:2222").identity(Path.of("/keys/deploy")).build();
 * Session db1 = Session.ssh("db1").jump("deploy@bastion").transport(SshSession.Client.MINA).build();
 * Session bastion = Session.ssh("deploy@bastion").identity(key).build();
 * Session inner = Session.ssh("deploy@inner").identity(key).via(bastion).build(); // bastion's agent connects
 * }</pre>
 */
public final class SshSession {
    /** Which SSH client carries the session. Both bootstrap the same agent the same way. */
    public enum Client {
        /**
         * The {@code ssh} program ({@code ssh -T}, batch mode): the default. Honours {@code ~/.ssh/config} (aliases,
         * ProxyJump, IdentityFile, ControlMaster) and everything else OpenSSH does.
         */
        OPENSSH,
        /**
         * Apache MINA SSHD, inside this JVM: no {@code ssh} program needed, one connection pool of this JVM's own.
         * Reads no {@code ~/.ssh/config}; takes the identity, known_hosts file, host key policy and jump hosts set
         * here, else ssh-agent ({@code SSH_AUTH_SOCK}) and {@code ~/.ssh/id_*}, and {@code ~/.ssh/known_hosts}.
         */
        MINA
    }

    private final String host;
    private final String user;
    private final int port;
    private Path identity;
    private Path knownHosts;
    private OpenSsh.HostKeyPolicy hostKeyPolicy = OpenSsh.HostKeyPolicy.STRICT;
    private BootstrapPlan.JarPlacement placement = BootstrapPlan.JarPlacement.AUTO;
    private boolean cacheRuntime = true;
    private Duration connectTimeout = Duration.ofSeconds(15);
    private Duration bootstrapTimeout = Duration.ofSeconds(120);
    private List<String> options = List.of();
    private List<OpenSsh.Address> jumps = List.of();
    private Client client = Client.OPENSSH;
    private ArtifactSigner signer;
    private Session parent;

    private SshSession(String host, String user, int port) {
        this.host = host;
        this.user = user;
        this.port = port;
    }

    /** Copies {@code from}, then applies {@code change} to the copy: the only way a field changes. */
    private SshSession(SshSession from, Consumer<SshSession> change) {
        this(from.host, from.user, from.port);
        identity = from.identity;
        knownHosts = from.knownHosts;
        hostKeyPolicy = from.hostKeyPolicy;
        placement = from.placement;
        cacheRuntime = from.cacheRuntime;
        connectTimeout = from.connectTimeout;
        bootstrapTimeout = from.bootstrapTimeout;
        options = from.options;
        jumps = from.jumps;
        client = from.client;
        signer = from.signer;
        parent = from.parent;
        change.accept(this);
    }

    static SshSession parse(String target) {
        OpenSsh.Address address = OpenSsh.Address.parse(target);
        return new SshSession(address.host(), address.user(), address.port());
    }

    /** Logs in with this private key only (otherwise the client's own choice: config, agent, default keys). */
    public SshSession identity(Path privateKey) {
        return new SshSession(this, s -> s.identity = privateKey);
    }

    /** Checks host keys against this file instead of the user's known_hosts. */
    public SshSession knownHosts(Path file) {
        return new SshSession(this, s -> s.knownHosts = file);
    }

    /** How unknown host keys are treated; {@link OpenSsh.HostKeyPolicy#STRICT} unless changed. */
    public SshSession hostKeyPolicy(OpenSsh.HostKeyPolicy policy) {
        return new SshSession(this, s -> s.hostKeyPolicy = Objects.requireNonNull(policy, "policy"));
    }

    /** Where the agent jar goes on the host; automatic unless forced (for tests of each path). */
    public SshSession jarPlacement(BootstrapPlan.JarPlacement where) {
        return new SshSession(this, s -> s.placement = Objects.requireNonNull(where, "where"));
    }

    /**
     * Whether a Java runtime shipped to a host without Java may stay in its {@code ~/.cache/mycelium} (true unless
     * changed); otherwise, and on read-only hosts, it goes to {@code /dev/shm} and is removed when the session ends.
     */
    public SshSession cacheRuntime(boolean cache) {
        return new SshSession(this, s -> s.cacheRuntime = cache);
    }

    /** The longest the TCP connection and the SSH handshake may take (15 s unless changed). */
    public SshSession connectTimeout(Duration limit) {
        return new SshSession(this, s -> s.connectTimeout = Objects.requireNonNull(limit, "limit"));
    }

    /** The longest starting the agent may take, a runtime upload included (120 s unless changed). */
    public SshSession bootstrapTimeout(Duration limit) {
        return new SshSession(this, s -> s.bootstrapTimeout = Objects.requireNonNull(limit, "limit"));
    }

    /** One more {@code -o Key=Value} option for the OpenSSH client (the MINA client takes none). */
    public SshSession option(String keyValue) {
        List<String> more = new ArrayList<>(options);
        more.add(Objects.requireNonNull(keyValue, "keyValue"));
        return new SshSession(this, s -> s.options = List.copyOf(more));
    }

    /**
     * One more host to pass through, {@code [user@]host[:port]}, after those given before ({@code ssh -J a,b}): the
     * target is reached through the last one's sshd. The identity, known_hosts file and host key policy apply to
     * every hop.
     */
    public SshSession jump(String jumpHost) {
        List<OpenSsh.Address> more = new ArrayList<>(jumps);
        more.add(OpenSsh.Address.parse(jumpHost));
        return new SshSession(this, s -> s.jumps = List.copyOf(more));
    }

    /**
     * Signs the agent and the runtime with this SSH private key (unencrypted; ed25519 recommended), for hosts that
     * accept only signed artifacts: those with an {@code allowed_signers} file (OpenSSH format, principal {@code
     * mycelium}) in {@code ~/.config/mycelium/} or {@code /etc/mycelium/}. Other hosts ignore the signatures.
     */
    public SshSession signWith(Path privateKey) {
        ArtifactSigner with = new ArtifactSigner(Objects.requireNonNull(privateKey, "privateKey"));
        return new SshSession(this, s -> s.signer = with);
    }

    /**
     * Makes {@code parentSession}'s agent start this session's agent (Mitogen's {@code via}): the agent on the parent's
     * host runs its {@code ssh} client to this host and bootstraps the agent there with the same stage 1 as a direct
     * connection; the agent's frames travel through the parent's connection, so this JVM holds one connection for the
     * whole tree. Parents may have parents of their own ({@code inner.via(web1.via(bastion))}).
     *
     * <p>The connection to this host starts on the parent's host, with the parent host's {@code ssh} program and its
     * {@code ~/.ssh/config}. The identity and known_hosts file set here are read on this machine and sent to the
     * parent's agent, which keeps them in a private directory of its memory file system until {@code ssh} has
     * authenticated; without them the parent host's own keys and known_hosts apply. Options ({@link #option}) pass to
     * that {@code ssh}, e.g. {@code BindAddress=ADDR} for a source address. Opening this session opens (or shares) the
     * parent's context; closing the parent closes this one.
     */
    public SshSession via(Session parentSession) {
        return new SshSession(this, s -> s.parent = Objects.requireNonNull(parentSession, "parentSession"));
    }

    /** Which SSH client carries the session; {@link Client#OPENSSH} unless changed. */
    public SshSession transport(Client which) {
        return new SshSession(this, s -> s.client = Objects.requireNonNull(which, "which"));
    }

    /**
     * The session.
     *
     * @throws IllegalArgumentException when the MINA client is chosen together with OpenSSH {@code -o} options, or
     *     together with {@link #via} (the parent's host connects with its {@code ssh} program)
     */
    public Session build() {
        OpenSsh.Target target = new OpenSsh.Target(
                host, user, port, identity, knownHosts, hostKeyPolicy, connectTimeout, options, jumps);
        CommandTransport.Options bootstrap =
                new CommandTransport.Options(placement, JavaRuntime.embedded(), cacheRuntime, bootstrapTimeout, signer);
        String name = (user == null ? "" : user + "@") + host + (port == 0 ? "" : ":" + port);
        if (parent != null) {
            if (client == Client.MINA) {
                throw new IllegalArgumentException(
                        "a session via a parent connects with the parent host's ssh program: drop the MINA client");
            }
            return Session.via(
                    name,
                    OpenSsh.via(
                            target,
                            bootstrap,
                            parent.transport().describe(),
                            parent.transport().poolKey()),
                    parent);
        }
        Transport transport = switch (client) {
            case OPENSSH -> OpenSsh.transport(target, bootstrap);
            case MINA -> MinaSsh.transport(target, bootstrap);
        };
        return Session.over(name, transport);
    }
}
