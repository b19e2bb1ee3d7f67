package io.mycelium.bench;

import io.mycelium.AgentInfo;
import io.mycelium.Context;
import io.mycelium.Mycelium;
import io.mycelium.Session;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@link Mycelium} and one {@link Context} on {@link Session#local()}, connected before the first iteration so
 * no benchmark pays the agent's start-up. At the end of the trial it prints the agent's resident memory.
 *
 * <p>For experiments, the system property {@value #AGENT_FLAGS} adds JVM flags to the agent after
 * its defaults, e.g. {@code -jvmArgsAppend -Dbench.agentJvmFlags=-XX:TieredStopAtLevel=4}; separate several with
 * {@code |} (JMH splits {@code -jvmArgsAppend} at spaces).
 */
@State(Scope.Benchmark)
public class LocalAgent {
    /** System property with extra agent JVM flags. */
    public static final String AGENT_FLAGS = "bench.agentJvmFlags";

    private Mycelium mycelium;
    private Context context;
    private AgentInfo info;

    /** Starts the agent and waits for its handshake. */
    @Setup(Level.Trial)
    public void start() {
        mycelium = Mycelium.standalone();
        String flags = System.getProperty(AGENT_FLAGS, "").strip();
        context = mycelium.open(flags.isEmpty() ? Session.local() : Session.local(List.of(flags.split("[\\s|]+"))));
        info = context.ensureAgent().toCompletableFuture().join();
    }

    /** Reports the agent's memory, then stops it. */
    @TearDown(Level.Trial)
    public void stop() {
        if (info != null) {
            Bench.report("agent pid " + info.pid() + " " + ProcMemory.describe(info.pid()) + "; controller "
                    + ProcMemory.describe(ProcessHandle.current().pid()));
        }
        if (mycelium != null) {
            mycelium.close();
        }
    }

    /** The connected context. */
    public Context context() {
        return context;
    }
}
