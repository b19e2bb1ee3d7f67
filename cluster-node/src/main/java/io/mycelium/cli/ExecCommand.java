package io.mycelium.cli;

import io.mycelium.Context;
import io.mycelium.ExecOptions;
import io.mycelium.ExecOutput;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.StreamConverters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mycelium exec}: runs a command and streams its stdout and stderr, byte for byte, as they come. */
@Command(
        name = "exec",
        description = "Run a command; stream its output; exit with its exit code (128+N when killed by signal N).",
        mixinStandardHelpOptions = true)
final class ExecCommand implements Callable<Integer> {
    static final int TIMED_OUT = 124;
    private static final int DEFAULT_PARALLEL = 16;

    @Mixin
    Target target;

    @Mixin
    Verbosity verbosity;

    @Option(
            names = {"-n", "--no-stdin"},
            description = "Give the command an empty stdin instead of this one.")
    boolean noStdin;

    @Option(names = "--timeout", description = "Kill the command's process tree after this long (e.g. 30s, 5m).")
    String timeout;

    @Option(names = "--env", description = "Set NAME=VALUE in the command's environment (repeatable).")
    List<String> env = List.of();

    @Option(names = "--workdir", description = "Run the command in this directory.")
    String workDir;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            description = "With --hosts-file: run on at most N hosts at once (default: 16).")
    Integer parallel;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        List<Session> hosts = target.hostsFileSessions();
        if (parallel != null && (hosts == null || parallel < 1)) {
            throw new IllegalArgumentException(
                    hosts == null
                            ? "--parallel works with --hosts-file"
                            : "--parallel needs at least 1, got " + parallel);
        }
        if (hosts != null) {
            // One stdin cannot feed many hosts: each command gets an empty one.
            return new HostsExec(
                            hosts,
                            command,
                            options(),
                            parallel == null ? DEFAULT_PARALLEL : parallel,
                            new FileOutputStream(FileDescriptor.out),
                            new FileOutputStream(FileDescriptor.err))
                    .run();
        }
        ExecOptions options = options();
        if (!noStdin) {
            options = options.withStdin(StreamConverters.fromInputStream(() -> new FileInputStream(FileDescriptor.in)));
        }
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        AtomicReference<ExecOutput.Exited> exit = new AtomicReference<>();
        try (Mycelium mycelium = Mycelium.standalone()) {
            Context context = mycelium.open(target.session());
            context.procStream(command, options)
                    .runWith(
                            Sink.<ExecOutput>foreach(out -> {
                                        switch (out) {
                                            case ExecOutput.Stdout o ->
                                                write(stdout, o.bytes().toArray());
                                            case ExecOutput.Stderr e ->
                                                write(stderr, e.bytes().toArray());
                                            case ExecOutput.Exited x -> exit.set(x);
                                            case ExecOutput.Started s -> {}
                                        }
                                    })
                                    .withAttributes(ActorAttributes.dispatcher(
                                            ActorAttributes.IODispatcher().dispatcher())),
                            mycelium.system())
                    .toCompletableFuture()
                    .get();
        }
        ExecOutput.Exited exited = exit.get();
        if (exited.timedOut()) {
            System.err.println("mycelium: " + String.join(" ", command) + " ran past its timeout of " + timeout
                    + " and was killed");
            return TIMED_OUT;
        }
        return exited.exitCode();
    }

    /** The command's options but stdin. */
    private ExecOptions options() {
        ExecOptions options = ExecOptions.defaults();
        for (String pair : env) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--env needs NAME=VALUE, got: " + pair);
            }
            options = options.withEnv(pair.substring(0, eq), pair.substring(eq + 1));
        }
        if (workDir != null) {
            options = options.withWorkDir(workDir);
        }
        if (timeout != null) {
            options = options.withTimeout(Durations.parse(timeout));
        }
        return options;
    }

    private static void write(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
