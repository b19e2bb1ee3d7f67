package io.mycelium.bench;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts processes straight from this JVM with {@link ProcessBuilder}: the anchors that have no agent in the way. */
final class Forks {
    private static final File DEV_NULL = new File("/dev/null");

    private Forks() {}

    /** Runs {@code command} {@code runs} times, each waited for before the next; returns the failures (always 0). */
    static int sequential(List<String> command, int runs) throws IOException, InterruptedException {
        ProcessBuilder builder = builder(command);
        int failures = 0;
        for (int i = 0; i < runs; i++) {
            Process process = builder.start();
            if (process.waitFor() != 0) {
                failures++;
            }
            close(process);
        }
        Bench.check(String.join(" ", command), failures, runs);
        return failures;
    }

    /** Runs {@code command} {@code runs} times with at most {@code inFlight} running at once. */
    static int inFlight(List<String> command, int runs, int inFlight) throws IOException, InterruptedException {
        ProcessBuilder builder = builder(command);
        Semaphore window = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(runs);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < runs; i++) {
            window.acquire();
            builder.start().onExit().whenComplete((process, error) -> {
                if (error != null || process.exitValue() != 0) {
                    failures.incrementAndGet();
                }
                if (process != null) {
                    close(process);
                }
                window.release();
                done.countDown();
            });
        }
        done.await();
        Bench.check(String.join(" ", command), failures.get(), runs);
        return failures.get();
    }

    /** Like the agent: stdin from /dev/null, stdout and stderr as pipes. */
    private static ProcessBuilder builder(List<String> command) {
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
    }

    private static void close(Process process) {
        try {
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // The process has exited; its pipes are going away regardless.
        }
    }
}
