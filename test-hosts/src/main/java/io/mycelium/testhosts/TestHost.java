package io.mycelium.testhosts;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategyTarget;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A real SSH host for tests: a container of one of the {@link TestHostImage}s whose sshd listens on a loopback address
 * of its own (the container shares this machine's network), with a fresh user key and host key for each host.
 *
 * <pre>{@code
 * try (TestHost host = TestHost.start(TestHostImage.DEBIAN_MIN)) {
 *     new ProcessBuilder(host.sshCommand("java -version")).inheritIO().start().waitFor();
 *     host.exec("pgrep", "-a", "java");   // look inside with docker exec, as root
 * }
 * }</pre>
 *
 * <p>Needs a Docker engine (see {@link RequiresDocker}), the images from {@code docker/build.sh}, {@code ssh-keygen}
 * on this machine, and two environment variables for Testcontainers: {@code TESTCONTAINERS_RYUK_DISABLED=true} (Ryuk's
 * image cannot be pulled: there is no registry; hosts remove their own containers in {@link #close()}, and
 * Testcontainers removes leftovers when the JVM exits) and {@code TESTCONTAINERS_HOST_OVERRIDE=localhost} (dockerd runs
 * without a bridge). The parent pom sets both for surefire and failsafe and {@code .ci/run} exports them; a test run
 * from an IDE needs them in its run configuration.
 *
 * <p>Thread-safe: hosts may be started and closed from several threads at once.
 */
public final class TestHost implements AutoCloseable {
    /** The port sshd listens on unless {@link Options#withPort} says otherwise. */
    public static final int DEFAULT_PORT = 2222;
    /** The user that logs in: uid 1000, home {@code /home/mycelium}, member of {@code sudo}. */
    public static final String USER = "mycelium";

    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;
    private static final Set<String> imagesPresent = ConcurrentHashMap.newKeySet();

    private final TestHostImage image;
    private final Options options;
    private final String address;
    private final Path dir;
    private final SshKeyPair userKey;
    private final String hostKeyLine;
    private final Path knownHosts;
    private final GenericContainer<?> container;
    private final DockerClient docker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean paused;

    /**
     * How a host runs. Start from {@link #defaults(TestHostImage)} and change what a test needs:
     * {@code Options.defaults(DEBIAN_MIN).withUserPassword("secret")}.
     *
     * @param readOnlyRoot mount the root filesystem read-only (a tmpfs on {@code /run} is always there)
     * @param memoryLimitMb the container's memory limit in MiB, 0 for none; tmpfs contents count against it
     * @param shmExec whether the 160 MiB tmpfs on {@code /dev/shm} allows exec (Docker's own is 64 MiB, noexec)
     * @param allowFrom if not null, the only source address that may log in (sshd {@code AllowUsers mycelium@ADDR});
     *     a client reaches the host then only by binding that address, as a bastion's {@code ssh -b ADDR} does
     * @param userPassword if not null, the password of {@code mycelium} (for sudo and doas); needs a writable root
     * @param port the port sshd listens on
     * @param otherPasswords passwords of {@code alice} and {@code root} (for sudo, doas and su); need a writable root
     */
    public record Options(
            boolean readOnlyRoot,
            int memoryLimitMb,
            boolean shmExec,
            String allowFrom,
            String userPassword,
            int port,
            Map<String, String> otherPasswords) {

        /** Users whose password {@link #withPassword} sets, besides {@value TestHost#USER}. */
        private static final Set<String> PASSWORD_USERS = Set.of("alice", "root");

        /** Options without passwords of other users. */
        public Options(
                boolean readOnlyRoot,
                int memoryLimitMb,
                boolean shmExec,
                String allowFrom,
                String userPassword,
                int port) {
            this(readOnlyRoot, memoryLimitMb, shmExec, allowFrom, userPassword, port, Map.of());
        }

        /** Checks the values. */
        public Options {
            if (memoryLimitMb < 0) {
                throw new IllegalArgumentException("memoryLimitMb must be >= 0 (0: no limit): " + memoryLimitMb);
            }
            if (memoryLimitMb > 0 && memoryLimitMb < 32) {
                throw new IllegalArgumentException("memoryLimitMb below 32 leaves sshd no room: " + memoryLimitMb);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (allowFrom != null && !allowFrom.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new IllegalArgumentException("allowFrom must be an IP address: " + allowFrom);
            }
            if (userPassword != null && (userPassword.isEmpty() || userPassword.contains("\n"))) {
                throw new IllegalArgumentException("userPassword must be one non-empty line");
            }
            if (userPassword != null && readOnlyRoot) {
                throw new IllegalArgumentException("userPassword needs a writable root (/etc/shadow)");
            }
            otherPasswords = otherPasswords == null ? Map.of() : Map.copyOf(otherPasswords);
            for (Map.Entry<String, String> e : otherPasswords.entrySet()) {
                if (!PASSWORD_USERS.contains(e.getKey())) {
                    throw new IllegalArgumentException("no password can be set for " + e.getKey() + ", only for " + USER
                            + " and " + PASSWORD_USERS);
                }
                if (e.getValue().isEmpty() || e.getValue().contains("\n")) {
                    throw new IllegalArgumentException("the password of " + e.getKey() + " must be one non-empty line");
                }
                if (readOnlyRoot) {
                    throw new IllegalArgumentException("a password needs a writable root (/etc/shadow)");
                }
            }
        }

        /**
         * The image's defaults: {@link TestHostImage#DEBIAN_RO} gets a read-only root and 256 MiB of memory, the others
         * a writable root and no limit; all get an exec-able {@code /dev/shm} and port
         * {@value TestHost#DEFAULT_PORT}.
         */
        public static Options defaults(TestHostImage image) {
            return image == TestHostImage.DEBIAN_RO
                    ? new Options(true, 256, true, null, null, DEFAULT_PORT)
                    : new Options(false, 0, true, null, null, DEFAULT_PORT);
        }

        /** A copy with {@code readOnlyRoot} changed. */
        public Options withReadOnlyRoot(boolean value) {
            return new Options(value, memoryLimitMb, shmExec, allowFrom, userPassword, port, otherPasswords);
        }

        /** A copy with {@code memoryLimitMb} changed (0: no limit). */
        public Options withMemoryLimitMb(int value) {
            return new Options(readOnlyRoot, value, shmExec, allowFrom, userPassword, port, otherPasswords);
        }

        /** A copy with {@code shmExec} changed. */
        public Options withShmExec(boolean value) {
            return new Options(readOnlyRoot, memoryLimitMb, value, allowFrom, userPassword, port, otherPasswords);
        }

        /** A copy that lets only {@code address} (or anyone, when null) log in. */
        public Options withAllowFrom(String address) {
            return new Options(readOnlyRoot, memoryLimitMb, shmExec, address, userPassword, port, otherPasswords);
        }

        /** A copy with the user's password set (or left unset, when null). */
        public Options withUserPassword(String password) {
            return new Options(readOnlyRoot, memoryLimitMb, shmExec, allowFrom, password, port, otherPasswords);
        }

        /**
         * A copy with the password of {@code user} set: {@value TestHost#USER} (as {@link #withUserPassword}), {@code
         * alice} (uid 1001, group sudo) or {@code root} (for su). The user {@code bob} (uid 1002) needs none: sudo and
         * doas let him without one.
         */
        public Options withPassword(String user, String password) {
            if (USER.equals(user)) {
                return withUserPassword(password);
            }
            Map<String, String> more = new java.util.HashMap<>(otherPasswords);
            more.put(user, Objects.requireNonNull(password, "password"));
            return new Options(readOnlyRoot, memoryLimitMb, shmExec, allowFrom, userPassword, port, more);
        }

        /** A copy with another sshd port. */
        public Options withPort(int value) {
            return new Options(readOnlyRoot, memoryLimitMb, shmExec, allowFrom, userPassword, value, otherPasswords);
        }

        @Override
        public String toString() {
            return "Options[readOnlyRoot=" + readOnlyRoot + ", memoryLimitMb=" + memoryLimitMb + ", shmExec=" + shmExec
                    + ", allowFrom=" + allowFrom + ", userPassword=" + (userPassword == null ? null : "***")
                    + ", port=" + port
                    + (otherPasswords.isEmpty()
                            ? ""
                            : ", otherPasswords=" + new java.util.TreeSet<>(otherPasswords.keySet()))
                    + "]";
        }
    }

    /**
     * What a command run with {@link #exec} did.
     *
     * @param exitCode its exit code
     * @param stdout its standard output, decoded as UTF-8
     * @param stderr its standard error, decoded as UTF-8
     */
    public record CommandResult(int exitCode, String stdout, String stderr) {
        /** True when the exit code is 0. */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private TestHost(
            TestHostImage image,
            Options options,
            String address,
            Path dir,
            SshKeyPair userKey,
            SshKeyPair hostKey,
            GenericContainer<?> container) {
        this.image = image;
        this.options = options;
        this.address = address;
        this.dir = dir;
        this.userKey = userKey;
        String hostPattern = options.port() == 22 ? address : "[" + address + "]:" + options.port();
        this.hostKeyLine = hostPattern + " " + hostKey.publicKey();
        this.knownHosts = dir.resolve("known_hosts");
        this.container = container;
        this.docker = DockerClientFactory.instance().client();
    }

    /** Starts a host of {@code image} with the image's {@linkplain Options#defaults default options}. */
    public static TestHost start(TestHostImage image) {
        return start(image, Options.defaults(image));
    }

    /**
     * Starts a host and waits until its sshd greets (an {@code SSH-2.0} banner on {@link #address()}:{@link #port()}),
     * at most 30 s. When another process takes the chosen address meanwhile, tries up to two more.
     *
     * @throws IllegalStateException when Docker, the image or {@code ssh-keygen} is missing, or the host did not come
     *     up (the message then holds the container's log)
     */
    public static TestHost start(TestHostImage image, Options options) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(options, "options");
        requireRyukDisabled();
        requireImage(dockerClient(), image);
        Path dir = createPrivateTempDir();
        try {
            SshKeyPair userKey = SshKeyPair.generate(dir.resolve("id_ed25519"), "mycelium-test-user");
            SshKeyPair hostKey = SshKeyPair.generate(dir.resolve("ssh_host_ed25519_key"), "mycelium-test-host");
            for (int attempt = 1; ; attempt++) {
                String address = LoopbackAddresses.claim(options.port());
                GenericContainer<?> container = newContainer(image, options, address, userKey, hostKey);
                TestHost host = new TestHost(image, options, address, dir, userKey, hostKey, container);
                try {
                    Files.writeString(host.knownHosts, host.hostKeyLine + "\n");
                    container.start();
                    host.awaitSsh();
                    host.requireHostKeyInLogs(hostKey);
                    return host;
                } catch (RuntimeException | IOException e) {
                    String logs = host.logsQuietly();
                    host.removeContainerQuietly();
                    LoopbackAddresses.release(address);
                    boolean addressTaken =
                            logs.contains("Address already in use") || logs.contains("Cannot bind any address");
                    if (addressTaken && attempt < START_ATTEMPTS) {
                        continue; // another process took address:port after we checked it
                    }
                    throw new IllegalStateException(
                            "test host " + image.repository() + " did not start on " + address + ":" + options.port()
                                    + ": " + e.getMessage() + "\n--- container log ---\n" + logs.stripTrailing(),
                            e);
                }
            }
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    /** The image this host runs. */
    public TestHostImage image() {
        return image;
    }

    /** The options it was started with. */
    public Options options() {
        return options;
    }

    /** The loopback address sshd listens on, such as {@code 127.0.0.42}; no other host of this JVM has it. */
    public String address() {
        return address;
    }

    /** The port sshd listens on ({@value #DEFAULT_PORT} by default). */
    public int port() {
        return options.port();
    }

    /** The user that may log in: {@value #USER}. */
    public String user() {
        return USER;
    }

    /** The private key (ed25519, OpenSSH format, mode 600, no passphrase) that logs in as {@link #user()}. */
    public Path privateKey() {
        return userKey.privateKey();
    }

    /** A known_hosts file holding {@link #hostKeyLine()} only. */
    public Path knownHostsFile() {
        return knownHosts;
    }

    /** The host's known_hosts line: {@code [127.0.0.42]:2222 ssh-ed25519 AAAA...}. It survives {@link #restart()}. */
    public String hostKeyLine() {
        return hostKeyLine;
    }

    /** The Docker container's id. */
    public String containerId() {
        return container.getContainerId();
    }

    /**
     * The argument list of an OpenSSH client call that logs in to this host with {@link #privateKey()}, checks its
     * host key strictly against {@link #knownHostsFile()}, never prompts and ignores the user's ssh config; the
     * {@code remoteCommand} words follow (none: ssh then runs the login shell).
     */
    public List<String> sshCommand(String... remoteCommand) {
        List<String> command = new ArrayList<>(List.of(
                "ssh",
                "-T",
                "-F",
                "/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "ConnectTimeout=10",
                "-i",
                privateKey().toString(),
                "-p",
                Integer.toString(port()),
                USER + "@" + address));
        command.addAll(List.of(remoteCommand));
        return command;
    }

    /**
     * Runs a command in the container with {@code docker exec}, as root, to look at the host from inside (list files,
     * find processes); not through SSH.
     */
    public CommandResult exec(String... command) {
        return execAs("root", command);
    }

    /** Runs a command in the container with {@code docker exec} as {@code user}. */
    public CommandResult execAs(String user, String... command) {
        requireOpen();
        try {
            Container.ExecResult result = container.execInContainer(
                    ExecConfig.builder().user(user).command(command).build());
            return new CommandResult(result.getExitCode(), result.getStdout(), result.getStderr());
        } catch (IOException e) {
            throw new UncheckedIOException("docker exec " + String.join(" ", command) + " failed on " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: docker exec " + String.join(" ", command), e);
        }
    }

    /**
     * Sends {@code signal} (a name such as {@code TERM} or a number) to every process named exactly {@code process} in
     * the host, with {@code pkill}. Note that sshd is the container's first process: the kernel hands it only the
     * signals it handles (TERM, HUP), and when it exits the container stops; see {@link #killSshd()}.
     *
     * @return whether any process matched
     */
    public boolean signal(String process, String signal) {
        CommandResult result = exec("pkill", "--signal", signal, "-x", process);
        return switch (result.exitCode()) {
            case 0 -> true;
            case 1 -> false;
            default ->
                throw new IllegalStateException("pkill --signal " + signal + " -x " + process + " failed on " + this
                        + ": " + result.stderr().strip());
        };
    }

    /**
     * Kills sshd with SIGKILL. sshd is the container's first process, so the whole host goes down as in a crash: every
     * session and every process started through it dies, and the address refuses connections until
     * {@link #restart()}. Returns once the container has stopped.
     */
    public void killSshd() {
        requireOpen();
        if (paused) {
            unpause();
        }
        docker.killContainerCmd(containerId()).withSignal("KILL").exec();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (isRunning()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the container of " + this + " still runs 10 s after SIGKILL");
            }
            sleep(20);
        }
    }

    /**
     * Freezes every process of the host (cgroup freezer). Connections stay open but nothing answers: the kernel still
     * accepts TCP connections, yet no SSH banner comes. {@link #unpause()} thaws it.
     */
    public void pause() {
        requireOpen();
        docker.pauseContainerCmd(containerId()).exec();
        paused = true;
    }

    /** Thaws a {@linkplain #pause() paused} host. */
    public void unpause() {
        requireOpen();
        docker.unpauseContainerCmd(containerId()).exec();
        paused = false;
    }

    /**
     * Restarts the container (stops it first if it runs) and waits for sshd, as after a reboot: processes and
     * {@code /run} are gone, the address, port, user key and host key stay the same.
     */
    public void restart() {
        requireOpen();
        if (paused) {
            unpause();
        }
        docker.restartContainerCmd(containerId()).withTimeout(5).exec();
        awaitSsh();
    }

    /** The container's log so far (the entrypoint's lines and sshd's, which logs to stderr). */
    public String logs() {
        return container.getLogs();
    }

    /** Stops and removes the container and deletes the keys; safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            removeContainerQuietly();
        } finally {
            LoopbackAddresses.release(address);
            deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        String id = container.getContainerId();
        return "TestHost[" + image.repository() + " " + USER + "@" + address + ":" + port() + ", container "
                + (id == null ? "-" : id.substring(0, Math.min(12, id.length()))) + "]";
    }

    // --- starting ------------------------------------------------------------------------------------------------

    private static GenericContainer<?> newContainer(
            TestHostImage image, Options options, String address, SshKeyPair userKey, SshKeyPair hostKey) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(imageReference(image)));
        container
                .withNetworkMode("host")
                .withImagePullPolicy(name -> false) // built locally; there is no registry
                .withStartupAttempts(1)
                .withStartupCheckStrategy(new StartedIsEnough())
                .waitingFor(new NoWait()) // awaitSsh() waits, with the log in its error
                .withLabel("io.mycelium.test-host", image.name().toLowerCase(Locale.ROOT))
                .withLabel("io.mycelium.test-host.address", address + ":" + options.port())
                .withEnv("SSH_LISTEN_ADDRESS", address)
                .withEnv("SSH_PORT", Integer.toString(options.port()))
                .withEnv("AUTHORIZED_KEYS", userKey.publicKey() + " mycelium-test-user")
                .withEnv("SSH_HOST_KEY", hostKey.privateKeyText())
                .withCreateContainerCmdModifier(cmd -> configureHost(cmd, options));
        if (options.allowFrom() != null) {
            container.withEnv("ALLOW_FROM", options.allowFrom());
        }
        if (options.userPassword() != null) {
            container.withEnv("USER_PASSWORD", options.userPassword());
        }
        options.otherPasswords()
                .forEach((user, password) -> container.withEnv(user.toUpperCase(Locale.ROOT) + "_PASSWORD", password));
        return container;
    }

    private static void configureHost(CreateContainerCmd cmd, Options options) {
        HostConfig host = cmd.getHostConfig() != null ? cmd.getHostConfig() : new HostConfig();
        Map<String, String> tmpfs = new LinkedHashMap<>();
        // Mode 755: a world-writable /run (tmpfs' default 1777) would make sshd's StrictModes refuse the keys there.
        tmpfs.put("/run", "rw,nosuid,nodev,exec,size=16m,mode=755");
        // Replaces Docker's own /dev/shm (64 MiB, noexec). Its pages count against the memory limit.
        tmpfs.put("/dev/shm", "rw,nosuid,nodev," + (options.shmExec() ? "exec" : "noexec") + ",size=160m");
        host.withTmpFs(tmpfs).withReadonlyRootfs(options.readOnlyRoot());
        if (options.memoryLimitMb() > 0) {
            long bytes = options.memoryLimitMb() * 1024L * 1024L;
            host.withMemory(bytes).withMemorySwap(bytes); // no swap on top of the limit
        }
        cmd.withHostConfig(host);
    }

    private void awaitSsh() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no attempt";
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port()), 1000);
                socket.setSoTimeout(2000);
                String banner = firstLine(socket.getInputStream());
                if (banner.startsWith("SSH-2.0")) {
                    return;
                }
                last = "banner \"" + banner + "\"";
            } catch (IOException e) {
                last = e.toString();
            }
            if (!isRunning()) {
                throw new IllegalStateException("the container stopped (last connection attempt: " + last + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no SSH-2.0 banner on " + address + ":" + port() + " within "
                        + READY_TIMEOUT.toSeconds() + " s (last attempt: " + last + ")");
            }
            sleep(50);
        }
    }

    private void requireHostKeyInLogs(SshKeyPair hostKey) {
        if (!logs().contains(hostKey.publicKey())) {
            throw new IllegalStateException("the entrypoint did not print the host key it was given");
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; line.length() < 255 && (b = in.read()) != -1 && b != '\n'; ) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private boolean isRunning() {
        try {
            return Boolean.TRUE.equals(
                    docker.inspectContainerCmd(containerId()).exec().getState().getRunning());
        } catch (NotFoundException e) {
            return false;
        }
    }

    private String logsQuietly() {
        try {
            return container.getContainerId() == null ? "(no container)" : container.getLogs();
        } catch (RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    private void removeContainerQuietly() {
        try {
            if (paused) {
                docker.unpauseContainerCmd(containerId()).exec();
                paused = false;
            }
        } catch (RuntimeException ignored) {
            // removing it is what matters
        }
        try {
            container.stop(); // Testcontainers kills and removes it (Ryuk is off)
        } catch (RuntimeException e) {
            System.err.println("warning: could not remove the container of " + this + ": " + e);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void requireRyukDisabled() {
        String disabled = TestcontainersConfiguration.getInstance().getEnvVarOrUserProperty("ryuk.disabled", "false");
        if (!Boolean.parseBoolean(disabled)) {
            throw new IllegalStateException("TESTCONTAINERS_RYUK_DISABLED=true is not set: Testcontainers would"
                    + " pull Ryuk's image, and there is no registry. Set it and TESTCONTAINERS_HOST_OVERRIDE=localhost"
                    + " in the environment (the parent pom does for surefire and failsafe; .ci/run exports both)");
        }
    }

    private static DockerClient dockerClient() {
        try {
            return DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            throw new IllegalStateException(RequiresDockerCondition.NO_DOCKER, e);
        }
    }

    private static void requireImage(DockerClient docker, TestHostImage image) {
        if (imagesPresent.contains(imageReference(image))) {
            return;
        }
        try {
            docker.inspectImageCmd(imageReference(image)).exec();
            imagesPresent.add(imageReference(image));
        } catch (NotFoundException e) {
            throw new IllegalStateException("image " + image.repository() + " is missing: run docker/build.sh", e);
        }
    }

    /**
     * The image of this checkout's recipe ({@code mycelium/NAME:RECIPE}, the recipe from the {@code docker/.cache/recipe}
     * that {@code docker/build.sh} writes) while Docker has it, else {@link TestHostImage#imageName()}: checkouts of
     * several branches share one Docker engine, and each build moves {@code :latest} to its own images.
     */
    static String imageReference(TestHostImage image) {
        String recipe = Recipe.CURRENT;
        if (recipe != null) {
            String pinned = image.repository() + ":" + recipe;
            if (imagesPresent.contains(pinned)) {
                return pinned;
            }
            try {
                dockerClient().inspectImageCmd(pinned).exec();
                imagesPresent.add(pinned);
                return pinned;
            } catch (NotFoundException e) {
                // Removed by another checkout's build: :latest is the best left.
            }
        }
        return image.imageName();
    }

    /** The recipe {@code docker/build.sh} last built in this checkout, looked up once from the working directory up. */
    private static final class Recipe {
        static final String CURRENT = find();

        private static String find() {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path file = dir.resolve("docker").resolve(".cache").resolve("recipe");
                if (Files.isRegularFile(dir.resolve("docker").resolve("build.sh"))) {
                    try {
                        String recipe = Files.isRegularFile(file)
                                ? Files.readString(file).strip()
                                : "";
                        return recipe.matches("[0-9a-f]{12}") ? recipe : null;
                    } catch (IOException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    private static Path createPrivateTempDir() {
        try {
            return Files.createTempDirectory(
                    "mycelium-test-host-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for a test host's keys", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a test host", e);
        }
    }

    /** The container counts as started once Docker started it; {@link #awaitSsh()} decides whether it works. */
    private static final class StartedIsEnough extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }

    private static final class NoWait implements WaitStrategy {
        @Override
        public void waitUntilReady(WaitStrategyTarget target) {}

        @Override
        public WaitStrategy withStartupTimeout(Duration timeout) {
            return this;
        }
    }
}
