package io.mycelium.transport;

import io.mycelium.bootstrap.BootstrapPlan;
import io.mycelium.bootstrap.Stage1;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the agent through a program that gives a POSIX shell on the target and passes its stdin and stdout through:
 * {@code ssh host}, {@code docker exec -i c}, or {@code sh} itself. The stage-1 command is appended as the last
 * argument; the {@link Bootstrapper} then loads the agent over the program's pipes.
 */
public final class CommandTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(CommandTransport.class);

    private final String description;
    private final String host;
    private final List<String> prefix;
    private final Options options;
    private final FailureClassifier classifier;

    /** Turns the program's exit code and stderr into a clear error when it ends before the agent started. */
    @FunctionalInterface
    public interface FailureClassifier {
        OperationFailedException classify(String host, int exitCode, String stderr);
    }

    /**
     * How to bootstrap.
     *
     * @param placement where the agent jar goes
     * @param runtime the runtime to ship to hosts without Java, or null for none
     * @param cacheRuntime whether a shipped runtime may stay in the host's {@code ~/.cache/mycelium}
     * @param timeout the longest stage 1 may take, runtime upload included
     * @param signer signs agent and runtime for hosts that accept only signed artifacts, or null
     */
    public record Options(
            BootstrapPlan.JarPlacement placement,
            JavaRuntime runtime,
            boolean cacheRuntime,
            Duration timeout,
            ArtifactSigner signer) {
        /** Options without a signing key. */
        public Options(
                BootstrapPlan.JarPlacement placement, JavaRuntime runtime, boolean cacheRuntime, Duration timeout) {
            this(placement, runtime, cacheRuntime, timeout, null);
        }

        /** Automatic placement, the embedded runtime, cached, 60 s, no signing key. */
        public static Options defaults() {
            return new Options(BootstrapPlan.JarPlacement.AUTO, JavaRuntime.embedded(), true, Duration.ofSeconds(60));
        }
    }

    /**
     * @param description how the transport shows in errors, e.g. {@code ssh://deploy@web1:22}
     * @param host the host's name for messages
     * @param prefix the program and arguments that run a shell command on the target, e.g. {@code [ssh, -T, web1]}
     */
    public CommandTransport(
            String description, String host, List<String> prefix, Options options, FailureClassifier classifier) {
        this.description = description;
        this.host = host;
        this.prefix = List.copyOf(prefix);
        this.options = options;
        this.classifier = classifier;
    }

    /** A transport that runs stage 1 with this machine's {@code /bin/sh}: the SSH path without SSH, for tests. */
    public static CommandTransport localShell(Options options) {
        return new CommandTransport(
                "sh://localhost",
                "localhost",
                List.of("/bin/sh", "-c"),
                options,
                (host, exit, stderr) -> new OperationFailedException(
                        ErrorCode.BOOTSTRAP_FAILED, "sh exited with " + exit + ": " + stderr.strip(), null));
    }

    @Override
    public String describe() {
        return description;
    }

    /** What a plain shell command printed and returned. */
    public record ShellResult(int exitCode, String stdout, String stderr) {}

    /**
     * Runs a shell command on the target directly, without an agent: for maintenance that must work even when the
     * agent cannot start (clearing a cache stage 1 refuses).
     *
     * @throws OperationFailedException when the target cannot be reached, classified like a failed bootstrap
     */
    public ShellResult runShell(String command, Duration timeout) throws IOException {
        List<String> argv = new ArrayList<>(prefix);
        argv.add(command);
        Process process = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        StderrTail stderr = new StderrTail(process.getErrorStream());
        byte[] out = process.getInputStream().readNBytes(1 << 20);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw timeout();
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running a command on " + host, e);
        }
        String err = stderr.text();
        if (process.exitValue() == 255 && prefix.get(0).endsWith("ssh")) {
            throw classifier.classify(host, 255, err);
        }
        return new ShellResult(process.exitValue(), new String(out, StandardCharsets.UTF_8), err);
    }

    @Override
    public String poolKey() {
        return description + " " + prefix + " " + options;
    }

    @Override
    public AgentLink open() throws IOException {
        JavaRuntime runtime = options.runtime();
        List<String> command = new ArrayList<>(prefix);
        command.add(Stage1.remoteCommand(
                AgentJar.embedded().sha256(),
                runtime == null ? null : runtime.descriptor().sha256()));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            // The program itself is missing on this machine: the classifier says which and what to do.
            throw classifier.classify(host, 127, String.valueOf(e.getMessage()));
        }
        StderrTail stderr = new StderrTail(process.getErrorStream());
        AtomicBoolean timedOut = new AtomicBoolean();
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.completeOnTimeout(null, options.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (timedOut.compareAndSet(false, true) && process.isAlive()) {
                        kill(process);
                    }
                });
        try {
            Bootstrapper.Result result =
                    Bootstrapper.run(host, process.getInputStream(), process.getOutputStream(), options);
            if (!timedOut.compareAndSet(false, true)) {
                throw timeout();
            }
            done.complete(null);
            if (!result.probe().banner().isBlank()) {
                log.info(
                        "{} printed before stage 1 started: {}",
                        host,
                        result.probe().banner().strip());
            }
            return new ProcessLink(
                    process, result.loadPath(), stderr, result.probe().banner().strip());
        } catch (IOException | RuntimeException e) {
            boolean expired = !timedOut.compareAndSet(false, true);
            done.complete(null);
            if (expired) {
                kill(process);
                throw timeout();
            }
            if (e instanceof OperationFailedException failure) {
                kill(process);
                throw failure;
            }
            // The program failed by itself (ssh could not connect): let it finish writing why, then read it.
            // Killing it first would close its stderr pipe with the explanation still in it.
            int exit = waitForExit(process);
            OperationFailedException failure = classifier.classify(host, exit, stderr.text());
            kill(process);
            throw failure;
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private OperationFailedException timeout() {
        return new OperationFailedException(
                ErrorCode.BOOTSTRAP_TIMEOUT,
                "starting the agent on " + host + " took longer than " + options.timeout()
                        + ": check the host's load and the network, or raise the bootstrap timeout",
                null);
    }

    private static int waitForExit(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Keeps the last few KiB of a process's stderr, for the error that explains a failed start. */
    static final class StderrTail {
        private static final int KEEP = 8 * 1024;
        private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        StderrTail(InputStream stderr) {
            Thread reader = new Thread(
                    () -> {
                        byte[] buffer = new byte[4096];
                        try (stderr) {
                            int n;
                            while ((n = stderr.read(buffer)) > 0) {
                                append(buffer, n);
                            }
                        } catch (IOException ended) {
                            // The process is gone; what it said is kept.
                        } finally {
                            ended.complete(null);
                        }
                    },
                    "mycelium-stderr");
            reader.setDaemon(true);
            reader.start();
        }

        private synchronized void append(byte[] buffer, int n) {
            tail.write(buffer, 0, n);
            if (tail.size() > 2 * KEEP) {
                byte[] all = tail.toByteArray();
                tail.reset();
                tail.write(all, all.length - KEEP, KEEP);
            }
        }

        /** What was printed, waiting briefly for the end of the stream. */
        String text() {
            ended.completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
            return snapshot();
        }

        /** What was printed so far, without waiting. */
        synchronized String snapshot() {
            return tail.toString(StandardCharsets.UTF_8);
        }
    }
}
