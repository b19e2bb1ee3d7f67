package io.mycelium.bootstrap;

import java.util.ArrayList;
import java.util.List;

/** How the agent's JVM is started, wherever it runs. */
public final class AgentJvm {
    /** The agent's main class. */
    public static final String MAIN_CLASS = "io.mycelium.agent.AgentMain";

    /**
     * JVM flags that keep the agent small: its heap never holds more than a few credit windows, and a heap grown under
     * a burst of garbage is given back. C2 stays on: without it SHA-256, which checks every transferred byte, runs
     * about ten times slower.
     */
    public static final List<String> FLAGS = List.of(
            "-Xms8m",
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30",
            "-XX:CICompilerCount=2",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:MaxMetaspaceSize=64m",
            "-Xss512k",
            "-XX:-UsePerfData",
            "-Xshare:auto");

    private AgentJvm() {}

    /** {@link #FLAGS}, plus what a JVM of {@code javaFeature} needs to run the agent quietly. */
    public static List<String> flagsFor(int javaFeature) {
        List<String> flags = new ArrayList<>(FLAGS);
        if (javaFeature <= 21) {
            // Up to Java 21 vfork starts a process without the jspawnhelper exec: 0.42 against 0.67 ms per process,
            // measured on Java 17 (docs/benchmarks.md). Later JDKs deprecate the mechanism.
            flags.add("-Djdk.lang.Process.launchMechanism=VFORK");
        }
        if (javaFeature >= 23) {
            // Kryo touches sun.misc.Unsafe; JDK 23+ would print a warning to the agent's stderr on every start.
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }
}
