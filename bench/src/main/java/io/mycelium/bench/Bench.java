package io.mycelium.bench;

/** Helpers shared by the benchmarks. */
final class Bench {
    /** Prefix of lines that bench/run.sh copies into its summary. */
    static final String REPORT_PREFIX = "[mycelium-bench] ";

    private Bench() {}

    /**
     * Prints a line for the summary; JMH passes a fork's stdout through to the run's output. It starts on a line of
     * its own: a trial's tear-down runs while JMH's last "Iteration N:" line waits for its score.
     */
    static void report(String line) {
        System.out.println();
        System.out.println(REPORT_PREFIX + line);
    }

    /** Throws unless every one of {@code expected} operations succeeded. */
    static void check(String what, int failures, int expected) {
        if (failures != 0) {
            throw new IllegalStateException(what + ": " + failures + " of " + expected + " failed");
        }
    }
}
