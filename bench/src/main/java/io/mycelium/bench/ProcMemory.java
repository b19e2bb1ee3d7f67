package io.mycelium.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a process's resident memory (now and peak) from {@code /proc/PID/status}; Linux only. */
final class ProcMemory {
    private ProcMemory() {}

    /** {@code VmRSS=.. MiB VmHWM=.. MiB}, or a note that it is unavailable. */
    static String describe(long pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            return "VmRSS=" + mib(lines, "VmRSS:") + " MiB VmHWM=" + mib(lines, "VmHWM:") + " MiB";
        } catch (IOException | RuntimeException e) {
            return "memory unavailable (" + e.getMessage() + ")";
        }
    }

    private static String mib(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                long kib = Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                return String.format("%.1f", kib / 1024.0);
            }
        }
        return "?";
    }
}
