package io.mycelium.exec.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Limits put on an executed process with the shell's {@code ulimit} before it starts, so they hold on any host
 * whose {@code /bin/sh} has it (dash and bash agree on the flags used here). A value of 0 means no limit.
 *
 * <p>cgroups v2 would also bound the whole process tree's memory and CPU share; the test hosts and this machine run
 * cgroup v1, so that is not built: these are per-process rlimits, inherited by children.
 *
 * @param cpuSeconds CPU time ({@code ulimit -t})
 * @param memoryBytes virtual memory ({@code ulimit -v}, rounded down to KiB)
 * @param openFiles open file descriptors ({@code ulimit -n})
 */
public record ResourceLimits(long cpuSeconds, long memoryBytes, long openFiles) {

    /** No limits. */
    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0);

    /** Validates. */
    public ResourceLimits {
        if (cpuSeconds < 0 || memoryBytes < 0 || openFiles < 0) {
            throw new IllegalArgumentException("resource limits must not be negative");
        }
    }

    /** Whether any limit is set. */
    public boolean any() {
        return cpuSeconds > 0 || memoryBytes > 0 || openFiles > 0;
    }

    /** The tighter of two limits, field by field (0 is no limit). */
    public ResourceLimits tighter(ResourceLimits other) {
        return new ResourceLimits(
                min(cpuSeconds, other.cpuSeconds),
                min(memoryBytes, other.memoryBytes),
                min(openFiles, other.openFiles));
    }

    /**
     * {@code command} wrapped so that the limits apply: {@code /bin/sh -c 'ulimit ... && exec "$@"' mycelium-limits
     * command...}. The command's words stay separate arguments, never re-parsed by the shell.
     */
    public List<String> wrap(List<String> command) {
        if (!any()) {
            return command;
        }
        StringBuilder script = new StringBuilder();
        if (cpuSeconds > 0) {
            script.append("ulimit -t ").append(cpuSeconds).append(" && ");
        }
        if (memoryBytes > 0) {
            script.append("ulimit -v ").append(Math.max(1, memoryBytes / 1024)).append(" && ");
        }
        if (openFiles > 0) {
            script.append("ulimit -n ").append(openFiles).append(" && ");
        }
        script.append("exec \"$@\"");
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "mycelium-limits"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static long min(long a, long b) {
        if (a == 0) {
            return b;
        }
        return b == 0 ? a : Math.min(a, b);
    }
}
