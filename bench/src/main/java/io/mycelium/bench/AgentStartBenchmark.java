package io.mycelium.bench;

import io.mycelium.AgentInfo;
import io.mycelium.Context;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import io.mycelium.bootstrap.AgentJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold start of a local agent, timed once per operation.
 *
 * <ul>
 *   <li>{@code agentColdStart}: {@code mycelium.open(Session.local()).ensureAgent()} joined: a new agent JVM, its
 *       handshake, and the context actor becoming ready. The agent jar is already in the user's cache.
 *   <li>{@code anchorJavaVersion}: {@code java -version} with the agent's JVM flags: the JVM's own start and exit.
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@State(Scope.Benchmark)
public class AgentStartBenchmark {
    private Mycelium mycelium;
    private Context context;
    private final List<String> rss = new ArrayList<>();

    /** One Mycelium for every start. */
    @Setup(Level.Trial)
    public void setUp() {
        mycelium = Mycelium.standalone();
    }

    /** A new context, connected. */
    @Benchmark
    public AgentInfo agentColdStart() {
        context = mycelium.open(Session.local());
        AgentInfo info = context.ensureAgent().toCompletableFuture().join();
        rss.add(ProcMemory.describe(info.pid()));
        return info;
    }

    /** {@code java -version} with the agent's flags. */
    @Benchmark
    public int anchorJavaVersion() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AgentJvm.flagsFor(Runtime.version().feature()));
        command.add("-version");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("java -version exited with " + exit);
        }
        return exit;
    }

    /** Stops the agent the operation started. */
    @TearDown(Level.Invocation)
    public void closeContext() {
        if (context != null) {
            context.close().toCompletableFuture().join();
            context = null;
        }
    }

    /** Reports each new agent's memory right after its handshake, and stops Mycelium. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (!rss.isEmpty()) {
            Bench.report("freshly started agents: " + String.join("; ", rss));
        }
        mycelium.close();
    }
}
