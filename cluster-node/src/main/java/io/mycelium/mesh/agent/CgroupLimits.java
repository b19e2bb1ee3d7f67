package io.mycelium.mesh.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Puts each instance of a node agent in a cgroup of its own with its CPU quota and memory limit: under cgroup v2
 * (one unified hierarchy, {@code cpu.max} and {@code memory.max}) or v1 (a hierarchy per controller, {@code
 * cpu.cfs_quota_us} and {@code memory.limit_in_bytes}). The cgroups are {@code <node's own cgroup>/mycelium/<agent>/
 * <instance>}, so an instance stays inside whatever limits the node itself runs under. Where no controller is
 * writable (not root, read-only, absent, disabled) it says so in {@link #unavailable()}, and the memory budget falls
 * back to an address-space rlimit while the CPU budget is not enforced.
 */
final class CgroupLimits {
    /** How a budget is enforced, as {@code GET /api/v1/instances} shows it. */
    record Limits(String cpu, String memory) {}

    /** The instance cgroups of one process; {@link #procsFiles()} are where its start shell writes its pid. */
    record Placement(Limits limits, List<Path> dirs) {
        List<Path> procsFiles() {
            return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        }
    }

    private static final long V1_PERIOD_US = 100_000;

    private final String version;
    private final Path cpuBase;
    private final Path memoryBase;
    private final String unavailable;

    private CgroupLimits(String version, Path cpuBase, Path memoryBase, String unavailable) {
        this.version = version;
        this.cpuBase = cpuBase;
        this.memoryBase = memoryBase;
        this.unavailable = unavailable;
    }

    /**
     * Finds the hierarchy under {@code mount} and creates {@code mycelium/<agentId>} in the node's own cgroup of each
     * controller; removes the instance cgroups a previous run left empty, and empty ones of agents that are gone (a
     * node killed with SIGKILL leaves its agent's behind).
     */
    static CgroupLimits detect(Path mount, boolean enabled, String agentId) {
        if (!enabled) {
            return none("cgroups are disabled (mycelium.mesh.agent.cgroups.enabled = off)");
        }
        try {
            Map<String, String> own = ownCgroups(Path.of("/proc/self/cgroup"));
            if (Files.exists(mount.resolve("cgroup.controllers"))) {
                Path base = under(mount, own.get(""), agentId);
                List<String> controllers = List.of(Files.readString(mount.resolve("cgroup.controllers"))
                        .trim()
                        .split("\\s+"));
                if (!controllers.contains("cpu") || !controllers.contains("memory")) {
                    return none("cgroup v2 at " + mount + " offers no cpu and memory controllers");
                }
                // v2 limits a cgroup's children only with the controllers enabled on the way down.
                Path at = base;
                List<Path> chain = new ArrayList<>();
                while (!at.equals(mount)) {
                    at = at.getParent();
                    chain.addFirst(at);
                }
                Files.createDirectories(base);
                for (Path p : chain) {
                    enableSubtree(p);
                }
                enableSubtree(base);
                sweep(base);
                return new CgroupLimits("cgroup-v2", base, base, null);
            }
            Path cpu = mount.resolve("cpu");
            Path memory = mount.resolve("memory");
            Path cpuBase = null;
            Path memoryBase = null;
            List<String> why = new ArrayList<>();
            if (Files.exists(cpu.resolve("cpu.cfs_quota_us"))) {
                cpuBase = createOrNull(under(cpu, own.get("cpu"), agentId), why);
            } else {
                why.add("no cgroup v1 cpu controller at " + cpu);
            }
            if (Files.exists(memory.resolve("memory.limit_in_bytes"))) {
                memoryBase = createOrNull(under(memory, own.get("memory"), agentId), why);
            } else {
                why.add("no cgroup v1 memory controller at " + memory);
            }
            return new CgroupLimits("cgroup-v1", cpuBase, memoryBase, why.isEmpty() ? null : String.join("; ", why));
        } catch (IOException | RuntimeException e) {
            return none("cgroups are not writable here: " + e);
        }
    }

    private static CgroupLimits none(String why) {
        return new CgroupLimits("none", null, null, why);
    }

    /** Why some controller is not used, or null when both are. */
    String unavailable() {
        return unavailable;
    }

    /**
     * Creates the cgroups of instance {@code id} with its limits (0: none asked for). Blocking. A controller that
     * cannot take the instance leaves that budget to the fallback.
     */
    Placement place(String id, int cpuMilli, int memoryMb) {
        String leaf = name(id);
        List<Path> dirs = new ArrayList<>();
        String cpuMode = "none";
        String memoryMode = memoryMb > 0 ? "rlimit" : "none";
        try {
            if (version.equals("cgroup-v2")) {
                // Another node's sweep may have taken the agent's cgroup while it held no instance.
                enableSubtree(Files.createDirectories(cpuBase));
            }
            if (cpuBase != null) {
                Path dir = Files.createDirectories(cpuBase.resolve(leaf));
                dirs.add(dir);
                if (cpuMilli > 0) {
                    if (version.equals("cgroup-v2")) {
                        Files.writeString(dir.resolve("cpu.max"), cpuMilli * 100L + " " + V1_PERIOD_US);
                    } else {
                        Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(V1_PERIOD_US));
                        Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(cpuMilli * 100L));
                    }
                    cpuMode = version;
                }
            }
            if (memoryBase != null) {
                Path dir = memoryBase.equals(cpuBase)
                        ? cpuBase.resolve(leaf)
                        : Files.createDirectories(memoryBase.resolve(leaf));
                if (!dirs.contains(dir)) {
                    dirs.add(dir);
                }
                if (memoryMb > 0) {
                    String file = version.equals("cgroup-v2") ? "memory.max" : "memory.limit_in_bytes";
                    Files.writeString(dir.resolve(file), Long.toString((long) memoryMb << 20));
                    memoryMode = version;
                }
            }
        } catch (IOException | RuntimeException e) {
            release(dirs);
            return new Placement(new Limits("none", memoryMb > 0 ? "rlimit" : "none"), List.of());
        }
        return new Placement(new Limits(cpuMode, memoryMode), List.copyOf(dirs));
    }

    /**
     * Kills what is still in the instance's cgroups (the process group is gone by now; a straggler that left it is
     * still an instance's process) and removes them; v1 lets a cgroup go only a moment after its last task. Blocking.
     */
    static void release(List<Path> dirs) {
        for (Path dir : dirs) {
            for (int attempt = 0; attempt < 50 && Files.isDirectory(dir); attempt++) {
                killAll(dir.resolve("cgroup.procs"));
                try {
                    Files.delete(dir);
                } catch (IOException e) {
                    sleep(100);
                }
            }
        }
    }

    /**
     * Removes the agent's cgroups once its instances' are gone, and {@code mycelium} too when no other agent uses it.
     * Blocking.
     */
    void close() {
        for (Path base : new LinkedHashSet<>(Arrays.asList(cpuBase, memoryBase))) {
            if (base != null) {
                try {
                    Files.deleteIfExists(base);
                    Files.deleteIfExists(base.getParent());
                } catch (IOException e) {
                    // An instance or another agent is still in it.
                }
            }
        }
    }

    private static void killAll(Path procs) {
        try {
            for (String pid : Files.readAllLines(procs)) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Gone already, or unreadable: the rmdir that follows tells.
        }
    }

    /** Controller ("" for v2) to the node's own cgroup path, from {@code /proc/self/cgroup}. */
    static Map<String, String> ownCgroups(Path file) throws IOException {
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                for (String controller : parts[1].split(",")) {
                    own.putIfAbsent(controller, parts[2]);
                }
            }
        }
        return own;
    }

    private static Path under(Path hierarchy, String ownPath, String agentId) {
        String relative = ownPath == null ? "" : ownPath.replaceFirst("^/+", "");
        return hierarchy.resolve(relative).resolve("mycelium").resolve(name(agentId));
    }

    /** A cgroup's name: agent ids hold ':' and '/', app names are the user's. */
    static String name(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    private static Path createOrNull(Path base, List<String> why) {
        try {
            Files.createDirectories(base);
            sweep(base);
            return base;
        } catch (IOException | RuntimeException e) {
            why.add("cannot create " + base + ": " + e);
            return null;
        }
    }

    private static void enableSubtree(Path dir) throws IOException {
        List<String> enabled = List.of(
                Files.readString(dir.resolve("cgroup.subtree_control")).trim().split("\\s+"));
        if (!(enabled.contains("cpu") && enabled.contains("memory"))) {
            Files.writeString(dir.resolve("cgroup.subtree_control"), "+cpu +memory");
        }
    }

    /**
     * Removes the instance cgroups a previous run of this agent left behind with no process in them, and the other
     * agents' cgroups that hold no instance (rmdir takes only a cgroup without processes and children).
     */
    private static void sweep(Path base) throws IOException {
        for (Path dir : List.of(base, base.getParent())) {
            removeEmptyChildren(dir, base);
        }
    }

    private static void removeEmptyChildren(Path dir, Path keep) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            children.filter(c -> Files.isDirectory(c) && !c.equals(keep)).forEach(child -> {
                try {
                    Files.delete(child);
                } catch (IOException e) {
                    // Still has processes: leave it.
                }
            });
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
