package io.mycelium.transport;

import io.mycelium.bootstrap.Stage1;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the agent on a host reached from a parent agent's host ({@code via}): the parent's agent runs the program
 * that reaches the host ({@code ssh ... host}, or {@code /bin/sh -c} for the parent's host itself) and carries its
 * stdin and stdout as one stream of the parent's connection; the {@link Bootstrapper} then runs the same stage 1 over
 * those pipes as {@link CommandTransport} does over a local {@code ssh}, so the child's bootstrap is byte for byte the
 * one of a direct connection. The controller holds no connection of its own to the host.
 *
 * <p>An identity and a known_hosts file given here are read on this machine and sent with the request; the parent's
 * agent keeps them in a private directory of its memory file system only until the program authenticated (see
 * docs/protocol.md, "child links").
 */
public final class ViaTransport implements Transport {
    /** Where the parent's agent puts the identity sent along; use it in the prefix. */
    public static final String IDENTITY = "{identity}";

    /** Where the parent's agent puts the known_hosts file sent along; use it in the prefix. */
    public static final String KNOWN_HOSTS = "{known_hosts}";

    private final String description;
    private final String host;
    private final String parentKey;
    private final LinkCommand command;
    private final Path identity;
    private final Path knownHosts;
    private final CommandTransport.Options options;
    private final CommandTransport.FailureClassifier classifier;
    private final Hop hop;

    /**
     * An unbound transport; {@link #through(Hop)} binds it to the parent's running context.
     *
     * @param description how the transport shows in errors, e.g. {@code ssh://web1 via ssh://bastion}
     * @param host the host's name for messages
     * @param parentKey the parent transport's {@link Transport#poolKey()}
     * @param prefix the program and arguments that run a shell command on the host, as the parent's host runs them;
     *     {@link #IDENTITY} and {@link #KNOWN_HOSTS} stand for the files below
     * @param identity a private key file on this machine to send for the program, or null
     * @param knownHosts a known_hosts file on this machine to send for the program, or null
     */
    public ViaTransport(
            String description,
            String host,
            String parentKey,
            List<String> prefix,
            Path identity,
            Path knownHosts,
            CommandTransport.Options options,
            CommandTransport.FailureClassifier classifier) {
        this(description, host, parentKey, LinkCommand.prefix(prefix), identity, knownHosts, options, classifier, null);
    }

    /**
     * An unbound transport whose program is {@code command}: one that must be talked to before stage 1 runs (a
     * password prompt) or that wraps stage 1 in more than a prefix. No files are sent along.
     */
    public ViaTransport(
            String description,
            String host,
            String parentKey,
            LinkCommand command,
            CommandTransport.Options options,
            CommandTransport.FailureClassifier classifier) {
        this(description, host, parentKey, command, null, null, options, classifier, null);
    }

    private ViaTransport(
            String description,
            String host,
            String parentKey,
            LinkCommand command,
            Path identity,
            Path knownHosts,
            CommandTransport.Options options,
            CommandTransport.FailureClassifier classifier,
            Hop hop) {
        this.description = description;
        this.host = host;
        this.parentKey = parentKey;
        this.command = command;
        this.identity = identity;
        this.knownHosts = knownHosts;
        this.options = options;
        this.classifier = classifier;
        this.hop = hop;
    }

    /** A transport that runs stage 1 with {@code /bin/sh} on the parent's host itself: a hop without SSH, for tests. */
    public static ViaTransport shell(String parentDescription, String parentKey, CommandTransport.Options options) {
        return new ViaTransport(
                "sh via " + parentDescription,
                "sh via " + parentDescription,
                parentKey,
                List.of("/bin/sh", "-c"),
                null,
                null,
                options,
                (host, exit, stderr) -> new OperationFailedException(
                        ErrorCode.BOOTSTRAP_FAILED, host + ": sh exited with " + exit + ": " + stderr.strip(), null));
    }

    /** This transport, starting its program through {@code parent}. */
    public ViaTransport through(Hop parent) {
        return new ViaTransport(
                description, host, parentKey, command, identity, knownHosts, options, classifier, parent);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String poolKey() {
        return description + " " + command.key() + " " + identity + " " + knownHosts + " " + options + " through "
                + parentKey;
    }

    @Override
    public AgentLink open() throws IOException {
        if (hop == null) {
            throw new IllegalStateException(description + " is opened through Mycelium.open, which starts its parent");
        }
        JavaRuntime runtime = options.runtime();
        List<String> argv = command.argv(Stage1.remoteCommand(
                AgentJar.embedded().sha256(),
                runtime == null ? null : runtime.descriptor().sha256()));
        byte[] identityBytes = read(identity, "identity file");
        byte[] knownHostsBytes = read(knownHosts, "known_hosts file");
        HopProcess process = hop.start(argv, identityBytes, knownHostsBytes);
        AtomicBoolean timedOut = new AtomicBoolean();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.completeOnTimeout(null, options.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (timedOut.compareAndSet(false, true)) {
                        process.kill();
                    }
                });
        try {
            command.prepare(process, hop.name());
            Bootstrapper.Result result = Bootstrapper.run(host, process.stdout(), process.stdin(), options);
            if (!timedOut.compareAndSet(false, true)) {
                throw timeout();
            }
            done.complete(null);
            return new Link(
                    process,
                    hop.name(),
                    result.loadPath(),
                    result.probe().banner().strip());
        } catch (IOException | RuntimeException e) {
            boolean expired = !timedOut.compareAndSet(false, true);
            done.complete(null);
            if (expired || !(e instanceof Bootstrapper.StageEnded)) {
                process.kill();
            }
            if (expired) {
                throw timeout();
            }
            if (e instanceof OperationFailedException failure) {
                throw failure;
            }
            if (e instanceof HopProcess.ProgramNotStarted) {
                OperationFailedException failure =
                        classifier.classify(host, 127, "cannot run program: " + e.getMessage());
                throw new OperationFailedException(
                        failure.code(), failure.getMessage() + " [on hop " + hop.name() + "]", e);
            }
            if (!(e instanceof Bootstrapper.StageEnded)) {
                // The hop itself failed (its connection was lost): that, not the program, is the news.
                throw new OperationFailedException(
                        ErrorCode.CONNECTION_LOST,
                        "cannot start the agent on " + description + ": " + e.getMessage(),
                        e);
            }
            // The program failed by itself (ssh could not connect): its exit and what it said explain it.
            int exit = process.awaitExit(Duration.ofSeconds(5));
            process.kill();
            OperationFailedException failure = classifier.classify(host, exit, process.stderr());
            throw new OperationFailedException(
                    failure.code(), failure.getMessage() + " [from hop " + hop.name() + "]", failure.getCause());
        }
    }

    /** A file sent along to the hop: one that cannot be read here is the caller's mistake, not a lost connection. */
    private byte[] read(Path file, String what) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new OperationFailedException(
                    ErrorCode.INVALID_REQUEST,
                    "cannot read the " + what + " " + file + " for " + description + " (it is sent to hop " + hop.name()
                            + "): " + e.getMessage(),
                    e);
        }
    }

    private OperationFailedException timeout() {
        return new OperationFailedException(
                ErrorCode.BOOTSTRAP_TIMEOUT,
                "starting the agent on " + description + " took longer than " + options.timeout()
                        + ": check the hosts' load and the network, or raise the bootstrap timeout",
                null);
    }

    /** The pipes of a child agent, through its parent's connection. */
    private static final class Link implements AgentLink {
        private final HopProcess process;
        private final String hopName;
        private final String loadPath;
        private final String banner;

        Link(HopProcess process, String hopName, String loadPath, String banner) {
            this.process = process;
            this.hopName = hopName;
            this.loadPath = loadPath;
            this.banner = banner;
        }

        @Override
        public InputStream fromAgent() {
            return process.stdout();
        }

        @Override
        public OutputStream toAgent() {
            return process.stdin();
        }

        @Override
        public String loadPath() {
            return loadPath + "; via " + hopName;
        }

        @Override
        public String banner() {
            return banner;
        }

        /** One line: how the program on the hop ended, and the last thing it said. */
        @Override
        public String diagnostics() {
            int exit = process.awaitExit(Duration.ZERO);
            String said = process.stderr().strip().lines().reduce((a, b) -> b).orElse("");
            if (exit < 0) {
                return said.isEmpty() ? "" : "on hop " + hopName + ": " + said;
            }
            return "the link program on hop " + hopName + " exited with status " + exit
                    + (said.isEmpty() ? "" : ": " + said);
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
