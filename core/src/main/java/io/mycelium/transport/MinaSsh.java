package io.mycelium.transport;

import io.mycelium.bootstrap.Stage1;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentKeyConstraint;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache MINA SSHD as a transport: an SSH client inside this JVM, no {@code ssh} program. It runs stage 1 in an exec
 * channel (no PTY) and the {@link Bootstrapper} loads the agent over the channel's streams, exactly as {@link
 * CommandTransport} does over ssh's pipes; its errors are the same typed ones {@link OpenSsh#classify} gives.
 *
 * <p>What it honours: the target's identity (else the ssh-agent at {@code $SSH_AUTH_SOCK}, else {@code ~/.ssh/id_*}
 * without a passphrase), known_hosts file (else {@code ~/.ssh/known_hosts}) and host key policy, connect timeout and
 * jump hosts, for every hop alike; public-key authentication only; a keepalive every 5 s, the session dropped after 3
 * unanswered. Not {@code ~/.ssh/config} and not {@code -o} options.
 *
 * <p>One {@link SshClient} serves the JVM (started on first use, daemon threads). Each {@link #open()} makes its own
 * SSH session; per-connection settings reach the shared client through the connection context, so the jump hops MINA
 * opens by itself get them too. Flow control is SSH's: the channel's local window is released only as the agent's
 * output is read, and writes wait for the host's window, so nothing buffers without bound.
 */
public final class MinaSsh implements Transport {
    private static final Logger log = LoggerFactory.getLogger(MinaSsh.class);
    private static final AttributeRepository.AttributeKey<Connection> CONNECTION =
            new AttributeRepository.AttributeKey<>();
    private static final List<String> DEFAULT_KEYS = List.of("id_ed25519", "id_ecdsa", "id_rsa");
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final OpenSsh.Target target;
    private final CommandTransport.Options options;

    private MinaSsh(OpenSsh.Target target, CommandTransport.Options options) {
        this.target = target;
        this.options = options;
    }

    /**
     * The transport for {@code target}.
     *
     * @throws IllegalArgumentException when the target has OpenSSH {@code -o} options, which MINA cannot take
     */
    public static MinaSsh transport(OpenSsh.Target target, CommandTransport.Options options) {
        if (!target.extraOptions().isEmpty()) {
            throw new IllegalArgumentException("the MINA SSH client takes no OpenSSH -o options (got "
                    + target.extraOptions() + "): leave them out, or use the OpenSSH client");
        }
        return new MinaSsh(target, options);
    }

    @Override
    public String describe() {
        return target.describe();
    }

    @Override
    public String poolKey() {
        return "mina " + target + " " + options;
    }

    @Override
    public AgentLink open() throws IOException {
        String host = describe();
        Connection connection = Connection.prepare(target, host);
        ClientSession session = connect(connection);
        JavaRuntime runtime = options.runtime();
        ChannelExec channel;
        try {
            channel = session.createExecChannel(Stage1.remoteCommand(
                    AgentJar.embedded().sha256(),
                    runtime == null ? null : runtime.descriptor().sha256()));
            channel.open().verify(target.connectTimeout(), CancelOption.CANCEL_ON_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw classify(e, connection);
        }
        InputStream fromHost = channel.getInvertedOut();
        OutputStream toHost = channel.getInvertedIn();
        CommandTransport.StderrTail stderr = new CommandTransport.StderrTail(channel.getInvertedErr());
        AtomicBoolean timedOut = new AtomicBoolean();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.completeOnTimeout(null, options.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (timedOut.compareAndSet(false, true)) {
                        channel.close(true);
                        session.close(true);
                    }
                });
        try {
            Bootstrapper.Result result = Bootstrapper.run(host, fromHost, toHost, options);
            if (!timedOut.compareAndSet(false, true)) {
                throw timeout(host);
            }
            done.complete(null);
            String banner = result.probe().banner().strip();
            if (!banner.isEmpty()) {
                log.info("{} printed before stage 1 started: {}", host, banner);
            }
            return new Link(session, channel, fromHost, toHost, stderr, result.loadPath(), banner);
        } catch (IOException | RuntimeException e) {
            boolean expired = !timedOut.compareAndSet(false, true);
            done.complete(null);
            if (expired) {
                throw timeout(host);
            }
            if (e instanceof OperationFailedException failure) {
                channel.close(true);
                session.close(true);
                throw failure;
            }
            // Stage 1 ended early: let the channel deliver its exit status and stderr, then read why.
            channel.waitFor(
                    EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), Duration.ofSeconds(5));
            OperationFailedException failure = stageEnded(host, channel.getExitStatus(), stderr.text(), session);
            channel.close(true);
            session.close(true);
            throw failure;
        }
    }

    /** Connects and authenticates, through the jump hosts if any, each step within the connect timeout. */
    private ClientSession connect(Connection connection) throws OperationFailedException {
        HostConfigEntry entry = new HostConfigEntry(
                target.host(),
                target.host(),
                target.port() == 0 ? SshConstants.DEFAULT_PORT : target.port(),
                target.user() == null ? localUser() : target.user());
        if (!target.jumps().isEmpty()) {
            // MINA 2.20 reaches the target through the first entry and that one through the next: the hop next to
            // the target comes first, the reverse of ssh -J (apache/mina-sshd#318).
            List<OpenSsh.Address> nearestFirst = new ArrayList<>(target.jumps());
            Collections.reverse(nearestFirst);
            entry.setProxyJump(nearestFirst.stream()
                    .map(j -> (j.user() == null ? localUser() : j.user()) + "@" + j.host() + ":"
                            + (j.port() == 0 ? SshConstants.DEFAULT_PORT : j.port()))
                    .collect(Collectors.joining(",")));
        }
        ClientSession session = null;
        try {
            session = Shared.CLIENT
                    .connect(entry, AttributeRepository.ofKeyValuePair(CONNECTION, connection), null)
                    .verify(target.connectTimeout(), CancelOption.CANCEL_ON_TIMEOUT)
                    .getSession();
            session.auth().verify(target.connectTimeout(), CancelOption.CANCEL_ON_TIMEOUT);
            return session;
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            throw classify(e, connection);
        }
    }

    /** MINA's exceptions as the error OpenSSH's message would have given, naming the host and what to do. */
    private OperationFailedException classify(Throwable error, Connection connection) {
        String host = describe();
        String rejected = connection.verifier.problem;
        if (rejected != null) {
            boolean changed = rejected.startsWith(KnownHosts.CHANGED);
            return failure(
                    ErrorCode.HOST_KEY_REJECTED,
                    host,
                    rejected,
                    changed
                            ? "the host's key differs from the one in known_hosts: verify it, then fix known_hosts"
                            : "the host's key is not in known_hosts: add it (ssh-keyscan, then verify), or allow new"
                                    + " hosts with the accept-new host key policy");
        }
        String said = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return failure(
                        ErrorCode.UNKNOWN_HOST,
                        host,
                        "could not resolve hostname: " + said,
                        "check the host name, or add it to /etc/hosts");
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return failure(
                        ErrorCode.CONNECTION_REFUSED,
                        host,
                        t.getMessage() == null ? said : t.getMessage(),
                        "check that sshd runs on the host and the port is right");
            }
            if (t instanceof SocketTimeoutException || timedOut(t)) {
                return failure(
                        ErrorCode.CONNECTION_REFUSED,
                        host,
                        "connection timed out: no SSH handshake within " + target.connectTimeout(),
                        "check that sshd runs on the host and answers, and the port is right");
            }
            if (t instanceof SshException ssh
                    && (ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE
                            || lower(ssh).contains("no more authentication methods"))) {
                return failure(
                        ErrorCode.AUTHENTICATION_FAILED,
                        host,
                        "Permission denied (publickey): " + connection.triedKeys(),
                        "check the user and the key (-i), and that the key is in the host's authorized_keys");
            }
            if (t instanceof SshException ssh
                    && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_HOST_KEY_NOT_VERIFIABLE) {
                return failure(ErrorCode.HOST_KEY_REJECTED, host, said, "verify the host's key, then fix known_hosts");
            }
        }
        return failure(
                ErrorCode.CONNECTION_REFUSED, host, said, "check that sshd runs on the host and the port is right");
    }

    private static boolean timedOut(Throwable t) {
        String message = lower(t);
        return message.contains("timeout") || message.contains("timed out");
    }

    private static String lower(Throwable t) {
        return t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    }

    /** Stage 1's channel ended before it reported: a missing tool (exit status 127), or the connection broke. */
    private static OperationFailedException stageEnded(
            String host, Integer exitStatus, String stderr, ClientSession session) {
        String text = stderr.strip();
        String last = text.lines().reduce((a, b) -> b).orElse(text);
        if (exitStatus == null) {
            return failure(
                    ErrorCode.CONNECTION_REFUSED,
                    host,
                    "the SSH " + (session.isOpen() ? "channel" : "connection") + " closed before stage 1 reported"
                            + (last.isEmpty() ? "" : ": " + last),
                    "check the host's sshd log");
        }
        boolean missingTool = exitStatus == 127 || text.toLowerCase(Locale.ROOT).contains("not found");
        return failure(
                ErrorCode.BOOTSTRAP_FAILED,
                host,
                last.isEmpty() ? "stage 1 exited with status " + exitStatus : last,
                missingTool
                        ? "the host lacks a tool stage 1 needs (/bin/sh, head, sha256sum or shasum, tar)"
                        : "see the host's message");
    }

    private OperationFailedException timeout(String host) {
        return failure(
                ErrorCode.BOOTSTRAP_TIMEOUT,
                host,
                "starting the agent took longer than " + options.timeout(),
                "check the host's load and the network, or raise the bootstrap timeout");
    }

    private static OperationFailedException failure(ErrorCode code, String host, String said, String advice) {
        return new OperationFailedException(code, host + ": " + said + " (" + advice + ")", null);
    }

    private static String localUser() {
        return System.getProperty("user.name");
    }

    /** What one connection authenticates with and checks host keys against; all its hops share it. */
    private static final class Connection {
        final List<KeyPair> keys;
        final List<String> keyNames;
        final Path agentSocket;
        final KnownHosts verifier;

        private Connection(List<KeyPair> keys, List<String> keyNames, Path agentSocket, KnownHosts verifier) {
            this.keys = keys;
            this.keyNames = keyNames;
            this.agentSocket = agentSocket;
            this.verifier = verifier;
        }

        /**
         * The given key only; or the ssh-agent and the default keys without a passphrase, as OpenSSH in batch mode
         * would.
         */
        static Connection prepare(OpenSsh.Target target, String host) throws OperationFailedException {
            Path home = Path.of(System.getProperty("user.home"));
            Path knownHosts = target.knownHosts() != null ? target.knownHosts() : home.resolve(".ssh/known_hosts");
            KnownHosts verifier = new KnownHosts(knownHosts, target.hostKeyPolicy());
            List<KeyPair> keys = new ArrayList<>();
            List<String> names = new ArrayList<>();
            if (target.identity() != null) {
                try {
                    keys.addAll(load(target.identity()));
                    names.add(target.identity().toString());
                } catch (IOException | RuntimeException | GeneralSecurityException e) {
                    throw failure(
                            ErrorCode.AUTHENTICATION_FAILED,
                            host,
                            "cannot use the key " + target.identity() + ": " + e.getMessage(),
                            "give a readable private key in OpenSSH or PEM format; a key with a passphrase works"
                                    + " through ssh-agent, without -i");
                }
                return new Connection(List.copyOf(keys), List.copyOf(names), null, verifier);
            }
            String agent = System.getenv(SshAgent.SSH_AUTHSOCKET_ENV_NAME);
            Path agentSocket = agent == null || agent.isBlank() ? null : Path.of(agent);
            if (agentSocket != null) {
                names.add("the ssh-agent at " + agentSocket);
            }
            for (String name : DEFAULT_KEYS) {
                Path file = home.resolve(".ssh").resolve(name);
                if (Files.isReadable(file)) {
                    try {
                        keys.addAll(load(file));
                        names.add(file.toString());
                    } catch (IOException | RuntimeException | GeneralSecurityException e) {
                        log.debug("skipping {}: {}", file, e.toString());
                    }
                }
            }
            return new Connection(List.copyOf(keys), List.copyOf(names), agentSocket, verifier);
        }

        private static List<KeyPair> load(Path file) throws IOException, GeneralSecurityException {
            List<KeyPair> pairs = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                Iterable<KeyPair> loaded =
                        SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in, null);
                if (loaded != null) {
                    loaded.forEach(pairs::add);
                }
            }
            if (pairs.isEmpty()) {
                throw new IOException("no private key in " + file);
            }
            return pairs;
        }

        String triedKeys() {
            return keyNames.isEmpty() ? "no key to offer (no -i, no ssh-agent, no ~/.ssh/id_*)" : "tried " + keyNames;
        }

        static Connection of(SessionContext session) {
            Connection connection = session instanceof ClientSession client
                    ? client.getConnectionContext().getAttribute(CONNECTION)
                    : null;
            if (connection == null) {
                throw new IllegalStateException("a MINA session without Mycelium's connection settings: " + session);
            }
            return connection;
        }
    }

    /**
     * known_hosts checking with OpenSSH's two policies: unknown hosts refused or added, a changed key always refused.
     * Remembers what it refused, so the error can say which host and why.
     */
    private static final class KnownHosts extends KnownHostsServerKeyVerifier {
        static final String CHANGED = "REMOTE HOST IDENTIFICATION HAS CHANGED";
        private final Path file;
        private final OpenSsh.HostKeyPolicy policy;
        volatile String problem;

        KnownHosts(Path file, OpenSsh.HostKeyPolicy policy) {
            super((session, address, key) -> policy == OpenSsh.HostKeyPolicy.ACCEPT_NEW, file);
            this.file = file;
            this.policy = policy;
            setModifiedServerKeyAcceptor((session, address, entry, expected, actual) -> {
                problem = CHANGED + ": the key of " + name(session, address) + " differs from the one in " + file;
                return false;
            });
        }

        @Override
        protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress address, PublicKey key) {
            if (policy == OpenSsh.HostKeyPolicy.STRICT) {
                problem = "Host key verification failed: no key for " + name(session, address) + " in " + file;
                return false;
            }
            return super.acceptUnknownHostKey(session, address, key);
        }

        @Override
        public boolean acceptModifiedServerKey(
                ClientSession session,
                SocketAddress address,
                KnownHostEntry entry,
                PublicKey expected,
                PublicKey actual)
                throws Exception {
            return getModifiedServerKeyAcceptor().acceptModifiedServerKey(session, address, entry, expected, actual);
        }

        @Override
        protected void handleRevokedKey(ClientSession session, SocketAddress address, PublicKey key) {
            problem = "Host key verification failed: the key of " + name(session, address) + " is marked @revoked in "
                    + file;
            super.handleRevokedKey(session, address, key);
        }

        private static String name(ClientSession session, SocketAddress address) {
            SocketAddress target = session.getConnectAddress() != null ? session.getConnectAddress() : address;
            SshdSocketAddress a = SshdSocketAddress.toSshdSocketAddress(target);
            return a == null ? String.valueOf(target) : "[" + a.getHostName() + "]:" + a.getPort();
        }
    }

    /** The shared client, started when the first MINA session opens. */
    private static final class Shared {
        static final SshClient CLIENT = start();

        private static SshClient start() {
            SshClient client = SshClient.setUpDefaultClient();
            client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
            client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
            client.setServerKeyVerifier((ServerKeyVerifier)
                    (session, address, key) -> Connection.of(session).verifier.verifyServerKey(session, address, key));
            client.setKeyIdentityProvider(session -> Connection.of(session).keys);
            client.setAgentFactory(new AgentFactory());
            // OpenSSH's ServerAliveInterval=5, ServerAliveCountMax=3: a dead peer is noticed within about 20 s.
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(5));
            CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
            CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, Duration.ofSeconds(5));
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
            // Without it Nagle holds back the small frames that grant the agent credit: 7 MiB/s instead of 100s.
            CoreModuleProperties.TCP_NODELAY.set(client, true);
            // Idle contexts are closed above (ContextActor); the heartbeat finds dead ones.
            CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
            // A full window means a slow agent, as a full pipe does with ssh: wait; the keepalive ends a dead one.
            CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(client, Duration.ofDays(1));
            client.start();
            return client;
        }
    }

    /** The user's ssh-agent for connections without an identity of their own; none otherwise. */
    private static final class AgentFactory implements SshAgentFactory {
        @Override
        public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
            return List.of();
        }

        @Override
        public SshAgent createClient(Session session, FactoryManager manager) {
            Path socket = Connection.of(session).agentSocket;
            if (socket == null) {
                return NoAgent.INSTANCE;
            }
            try {
                return SshAgentSocket.connect(socket);
            } catch (IOException e) {
                log.warn("{}; going on without it", e.getMessage());
                return NoAgent.INSTANCE;
            }
        }

        @Override
        public SshAgentServer createServer(ConnectionService service) {
            throw new UnsupportedOperationException("Mycelium forwards no ssh-agent");
        }
    }

    /** An agent with no keys. */
    private enum NoAgent implements SshAgent {
        INSTANCE;

        @Override
        public Iterable<? extends Map.Entry<PublicKey, String>> getIdentities() {
            return List.of();
        }

        @Override
        public Map.Entry<String, byte[]> sign(SessionContext session, PublicKey key, String algorithm, byte[] data)
                throws IOException {
            throw new SshException("no ssh-agent");
        }

        @Override
        public void addIdentity(KeyPair key, String comment, SshAgentKeyConstraint... constraints) throws IOException {
            throw new SshException("no ssh-agent");
        }

        @Override
        public void removeIdentity(PublicKey key) throws IOException {
            throw new SshException("no ssh-agent");
        }

        @Override
        public void removeAllIdentities() throws IOException {
            throw new SshException("no ssh-agent");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /**
     * The agent's stdin and stdout as the exec channel's streams. Closing sends EOF (the agent's polite signal to
     * stop); when the channel has not closed 2 s later it is closed hard, and the session goes with it.
     */
    private static final class Link implements AgentLink {
        private final ClientSession session;
        private final ChannelExec channel;
        private final InputStream fromAgent;
        private final OutputStream toAgent;
        private final CommandTransport.StderrTail stderr;
        private final String loadPath;
        private final String banner;
        private final AtomicBoolean closing = new AtomicBoolean();

        Link(
                ClientSession session,
                ChannelExec channel,
                InputStream fromAgent,
                OutputStream toAgent,
                CommandTransport.StderrTail stderr,
                String loadPath,
                String banner) {
            this.session = session;
            this.channel = channel;
            this.fromAgent = fromAgent;
            this.toAgent = toAgent;
            this.stderr = stderr;
            this.loadPath = loadPath;
            this.banner = banner;
        }

        @Override
        public InputStream fromAgent() {
            return fromAgent;
        }

        @Override
        public OutputStream toAgent() {
            return toAgent;
        }

        @Override
        public String loadPath() {
            return loadPath;
        }

        @Override
        public String banner() {
            return banner;
        }

        @Override
        public String diagnostics() {
            String said = stderr.snapshot().strip();
            return said.isEmpty() && !session.isOpen() ? "the SSH session closed" : said;
        }

        @Override
        public void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            channel.addCloseFutureListener(closed -> session.close(false));
            // Sending EOF may wait for window space on a frozen host: never on the caller's thread.
            Thread.ofPlatform().daemon().name("mycelium-mina-close").start(() -> {
                try {
                    toAgent.close();
                } catch (IOException alreadyClosed) {
                    // The hard close below is the sure way.
                }
            });
            CompletableFuture.delayedExecutor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> {
                        channel.close(true);
                        session.close(true);
                    });
        }
    }
}
