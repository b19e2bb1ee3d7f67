package io.mycelium.mesh.agent;

import io.mycelium.mesh.spore.SporeManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One instance of a spore as an OS process: started with {@code setsid} in its own session and process group (so
 * stopping it stops whatever it forked), in its extraction directory, with {@code PORT} set, its output in rotated
 * log files, in the cgroups {@link CgroupLimits} made for it (joined by the start shell before it execs the spore, so
 * nothing of the spore ever runs outside them) or else with the memory budget as an address-space rlimit. Stopping sends SIGTERM to the group, then SIGKILL
 * after the grace period.
 */
final class SporeProcess {
    private final Process process;
    private final int port;

    private SporeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the manifest's command in {@code dir}.
     *
     * @param placement the cgroups to join before the spore's command runs
     * @param memoryMb the memory budget, applied as an address-space rlimit when the placement says so
     */
    static SporeProcess start(
            Path dir,
            SporeManifest manifest,
            int port,
            Map<String, String> extraEnv,
            CgroupLimits.Placement placement,
            int memoryMb,
            long logMaxBytes,
            int logFiles)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("setsid", "sh", "-c"));
        // sh moves itself into the cgroups (their cgroup.procs files come first in "$@", their count in $1) and
        // applies the rlimit, then execs the spore's command (in the new session setsid made, same pid).
        boolean rlimit = memoryMb > 0 && placement.limits().memory().equals("rlimit");
        command.add("n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n - 1)); done; "
                + (rlimit ? "ulimit -v " + memoryMb * 1024L + " || exit 126; " : "")
                + "exec \"$@\"");
        command.add("spore");
        List<Path> procs = placement.procsFiles();
        command.add(Integer.toString(procs.size()));
        procs.forEach(p -> command.add(p.toString()));
        command.add(manifest.runtime().command());
        command.addAll(manifest.runtime().args());
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(manifest.runtime().env());
        env.putAll(extraEnv);
        env.put("PORT", Integer.toString(port));
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String name = dir.getFileName().toString();
        new RotatingLog(dir.resolve("stdout.log"), logMaxBytes, logFiles)
                .pump(process.getInputStream(), "spore-stdout-" + name);
        new RotatingLog(dir.resolve("stderr.log"), logMaxBytes, logFiles)
                .pump(process.getErrorStream(), "spore-stderr-" + name);
        return new SporeProcess(process, port);
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /** Completes with the exit code (128 + signal for a signal, as a shell reports it). */
    CompletionStage<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /**
     * SIGTERM to the process group, SIGKILL after {@code grace}; completes when the process has exited. Blocking:
     * call it off actor threads.
     */
    void stop(Duration grace) {
        signalGroup("TERM");
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                signalGroup("KILL");
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            signalGroup("KILL");
        }
        // The leader may be gone while a child it forked lingers in the group.
        signalGroup("KILL");
    }

    private void signalGroup(String signal) {
        try {
            new ProcessBuilder("kill", "-s", signal, "--", "-" + process.pid())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
