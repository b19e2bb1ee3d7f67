package io.mycelium.bench;

import io.mycelium.Context;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time for 1,000 runs of {@code true}: one operation is all 1,000, timed once (single shot).
 *
 * <ul>
 *   <li>{@code agentSequential}: {@code context.procExec("true")} joined, one after another, through the local
 *       agent.
 *   <li>{@code agentInFlight16}: the same 1,000 with up to 16 in flight at once (a semaphore of 16 permits).
 *   <li>{@code anchorShSequential} / {@code anchorShInFlight16}: {@code sh -c true} started directly with {@link
 *       ProcessBuilder} from this JVM, no agent, stdout and stderr piped like the agent's.
 *   <li>{@code anchorPerlPreludeSequential}: {@code perl -e 'exec ...' true} from {@link ProcessBuilder}: what the
 *       agent's process-group prelude costs per process before any protocol is involved.
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class ExecBenchmark {
    static final int RUNS = 1000;
    static final int IN_FLIGHT = 16;

    private static final List<String> SH_TRUE = List.of("sh", "-c", "true");
    private static final List<String> PERL_TRUE = List.of("perl", "-e", "exec { $ARGV[0] } @ARGV; exit 127", "true");

    /** 1,000 agent execs, one at a time. */
    @Benchmark
    public int agentSequential(LocalAgent agent) {
        Context context = agent.context();
        int failures = 0;
        for (int i = 0; i < RUNS; i++) {
            if (context.procExec("true").join().exitCode() != 0) {
                failures++;
            }
        }
        Bench.check("agent exec of true", failures, RUNS);
        return failures;
    }

    /** 1,000 agent execs, 16 in flight. */
    @Benchmark
    public int agentInFlight16(LocalAgent agent) throws InterruptedException {
        Context context = agent.context();
        Semaphore window = new Semaphore(IN_FLIGHT);
        CountDownLatch done = new CountDownLatch(RUNS);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < RUNS; i++) {
            window.acquire();
            context.procExec("true").whenComplete((result, error) -> {
                if (error != null || result.exitCode() != 0) {
                    failures.incrementAndGet();
                }
                window.release();
                done.countDown();
            });
        }
        done.await();
        Bench.check("agent exec of true", failures.get(), RUNS);
        return failures.get();
    }

    /** 1,000 {@code sh -c true} forks from this JVM, one at a time. */
    @Benchmark
    public int anchorShSequential() throws Exception {
        return Forks.sequential(SH_TRUE, RUNS);
    }

    /** 1,000 {@code sh -c true} forks from this JVM, 16 in flight. */
    @Benchmark
    public int anchorShInFlight16() throws Exception {
        return Forks.inFlight(SH_TRUE, RUNS, IN_FLIGHT);
    }

    /** 1,000 {@code true} through the same perl exec prelude the agent uses, one at a time. */
    @Benchmark
    public int anchorPerlPreludeSequential() throws Exception {
        return Forks.sequential(PERL_TRUE, RUNS);
    }
}
