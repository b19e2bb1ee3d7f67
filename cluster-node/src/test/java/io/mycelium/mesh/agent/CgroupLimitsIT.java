package io.mycelium.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mycelium.mesh.spore.SporeManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes in real cgroups: a busy loop with a budget of 100 milli-CPUs joins its instance's cgroup before it
 * runs, is throttled to its quota, and its cgroup goes with it; without writable cgroups the memory budget is an
 * rlimit and the limits say so.
 */
class CgroupLimitsIT {
    private static final Path MOUNT = Path.of("/sys/fs/cgroup");

    @TempDir
    Path dir;

    private final String agent =
            "it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
    private final List<SporeProcess> processes = new ArrayList<>();
    private final List<Path> cgroups = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (SporeProcess p : processes) {
            p.stop(Duration.ofMillis(200));
        }
        CgroupLimits.release(cgroups);
        // The agents' own cgroups of this test (the instance ones are gone by now).
        for (String controller : List.of("", "cpu", "memory")) {
            Path mycelium = agentCgroup(controller, agent).getParent();
            Files.deleteIfExists(mycelium.resolve(agent));
            Files.deleteIfExists(mycelium.resolve(agent + "-gone"));
            try {
                Files.deleteIfExists(mycelium);
            } catch (IOException e) {
                // Another node's agents are in it.
            }
        }
    }

    @Test
    void aBusyLoopIsThrottledToItsQuotaInItsOwnCgroupWhichGoesWithIt() throws Exception {
        Path gone = agentCgroup("cpu", agent + "-gone");
        boolean v1 = Files.isWritable(MOUNT.resolve("cpu").resolve("cpu.cfs_quota_us"));
        if (v1) {
            // What a node killed with SIGKILL leaves: its agent's cgroup, without instances.
            Files.createDirectories(gone);
        }
        CgroupLimits limits = CgroupLimits.detect(MOUNT, true, agent);
        assumeTrue(
                limits.unavailable() == null,
                () -> "cgroups are not writable on this host, nothing to enforce with: " + limits.unavailable());
        assertThat(gone).as("an empty cgroup of an agent that is gone").doesNotExist();
        CgroupLimits.Placement placement = limits.place("burn-1-abc", 100, 64);
        cgroups.addAll(placement.dirs());
        String version = placement.limits().cpu();
        assertThat(version).isIn("cgroup-v1", "cgroup-v2");
        assertThat(placement.limits()).isEqualTo(new CgroupLimits.Limits(version, version));

        SporeProcess burn = start(List.of("-c", "while :; do :; done"), placement, 64);
        long pid = burn.pid();
        long started = System.nanoTime();

        // Every hierarchy that limits it names the instance's cgroup, from before the loop ran.
        List<String> memberships = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
        String leaf = "/mycelium/" + agent + "/burn-1-abc";
        if (version.equals("cgroup-v1")) {
            assertThat(memberships).anyMatch(l -> l.matches("\\d+:([^:]*,)?cpu(,[^:]*)?:.*") && l.endsWith(leaf));
            assertThat(memberships).anyMatch(l -> l.matches("\\d+:memory:.*") && l.endsWith(leaf));
            Path cpu = placement.dirs().get(0);
            Path memory = placement.dirs().get(1);
            assertThat(cpu.toString()).startsWith(MOUNT.resolve("cpu").toString());
            assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim())
                    .isEqualTo("100000");
            assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("10000");
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim())
                    .isEqualTo(Long.toString(64L << 20));
            assertThat(Files.readAllLines(cpu.resolve("cgroup.procs"))).contains(Long.toString(pid));
        } else {
            assertThat(memberships).anyMatch(l -> l.startsWith("0::") && l.endsWith(leaf));
            Path cg = placement.dirs().get(0);
            assertThat(Files.readString(cg.resolve("cpu.max")).trim()).isEqualTo("10000 100000");
            assertThat(Files.readString(cg.resolve("memory.max")).trim()).isEqualTo(Long.toString(64L << 20));
        }
        // A cgroup holds the memory budget, so no address-space rlimit on top of it.
        assertThat(Files.readAllLines(Path.of("/proc/" + pid + "/limits")))
                .anyMatch(l -> l.startsWith("Max address space") && l.contains("unlimited"));

        Thread.sleep(1500);
        Path cpuStat = placement.dirs().get(0).resolve("cpu.stat");
        long throttled = Files.readAllLines(cpuStat).stream()
                .filter(l -> l.startsWith("nr_throttled "))
                .mapToLong(l ->
                        Long.parseLong(l.substring("nr_throttled ".length()).trim()))
                .findFirst()
                .orElseThrow();
        assertThat(throttled).as("nr_throttled in " + cpuStat).isPositive();
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        Duration used =
                ProcessHandle.of(pid).orElseThrow().info().totalCpuDuration().orElseThrow();
        // 10% of a core; unthrottled a busy loop takes a core (or whatever share of two busy cores it gets).
        assertThat(used)
                .as("CPU used in " + wall)
                .isLessThan(wall.multipliedBy(3).dividedBy(10));

        burn.stop(Duration.ofMillis(500));
        CgroupLimits.release(placement.dirs());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        for (Path cg : placement.dirs()) {
            assertThat(cg).doesNotExist();
        }
    }

    @Test
    void withoutWritableCgroupsTheMemoryBudgetIsAnRlimitAndTheCpuBudgetIsShownUnenforced() throws Exception {
        CgroupLimits absent = CgroupLimits.detect(dir.resolve("no-cgroups"), true, agent);
        assertThat(absent.unavailable()).contains("no cgroup v1 cpu controller");
        CgroupLimits disabled = CgroupLimits.detect(MOUNT, false, agent);
        assertThat(disabled.unavailable()).contains("disabled");
        assertThat(disabled.place("x-1", 100, 0).limits()).isEqualTo(new CgroupLimits.Limits("none", "none"));

        CgroupLimits.Placement placement = absent.place("sleeper-1-abc", 100, 64);
        assertThat(placement.limits()).isEqualTo(new CgroupLimits.Limits("none", "rlimit"));
        assertThat(placement.dirs()).isEmpty();
        SporeProcess sleeper = start(List.of("-c", "sleep 30"), placement, 64);
        assertThat(Files.readAllLines(Path.of("/proc/" + sleeper.pid() + "/limits")))
                .anyMatch(l -> l.startsWith("Max address space") && l.contains(Long.toString(64L << 20)));
        assertThat(Files.readAllLines(Path.of("/proc/" + sleeper.pid() + "/cgroup")))
                .noneMatch(l -> l.contains("/mycelium/"));
    }

    /** {@code <mount>/<controller>/<this JVM's cgroup>/mycelium/<name>}; controller "" for v2. */
    private static Path agentCgroup(String controller, String name) throws IOException {
        Path hierarchy = controller.isEmpty() ? MOUNT : MOUNT.resolve(controller);
        String own = CgroupLimits.ownCgroups(Path.of("/proc/self/cgroup"))
                .getOrDefault(controller, "/")
                .replaceFirst("^/+", "");
        return hierarchy.resolve(own).resolve("mycelium").resolve(name);
    }

    private SporeProcess start(List<String> args, CgroupLimits.Placement placement, int memoryMb) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run-" + processes.size()));
        SporeManifest manifest = new SporeManifest(
                new SporeManifest.Identity("Spore", "burn", "1"),
                new SporeManifest.Runtime("sh", args, Map.of()),
                null,
                null,
                null,
                null);
        SporeProcess process = SporeProcess.start(run, manifest, 0, Map.of(), placement, memoryMb, 1 << 20, 1);
        processes.add(process);
        // The start shell has exec'ed the command once /proc shows it (the pid stays the same).
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ProcessHandle.of(process.pid())
                        .flatMap(p -> p.info().command())
                        .map(c -> !c.endsWith("setsid"))
                        .orElse(false)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
        return process;
    }
}
