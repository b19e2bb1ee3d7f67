package io.mycelium.agent;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts processes, each as the leader of its own process group so a cancel reaches the whole tree, and so the {@link
 * OrphanGuard} can kill what is left when the agent dies. Java cannot create a process group itself, so the command
 * runs through util-linux's {@code setsid} (present wherever util-linux is: every Debian, Ubuntu and RHEL host), or,
 * without it, a one-line perl prelude that calls {@code setpgrp} and on Linux also sets {@code PR_SET_PDEATHSIG}.
 * Without either, processes start plainly and a cancel falls back to killing the descendants Java can see.
 *
 * <p>Linux delivers the parent-death signal when the <em>thread</em> that forked exits, so every process is started
 * from one long-lived thread.
 */
final class ProcessLauncher {
    private static final String PRELUDE =
            "my $n = shift @ARGV; my $p = shift @ARGV; syscall($n, 1, 9) if $n > 0; setpgrp(0, 0);"
                    + " exec { $p } @ARGV; print STDERR \"exec $p: $!\\n\"; exit 127;";

    private final String setsid;
    private final String perl;
    private final long prctlSyscall;
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mycelium-spawner");
        t.setDaemon(true);
        return t;
    });

    ProcessLauncher(String setsid, String perl) {
        this.setsid = setsid;
        this.perl = perl;
        this.prctlSyscall = prctlSyscallNumber();
    }

    /** Whether processes get their own process group. */
    boolean groupsProcesses() {
        return setsid != null || perl != null;
    }

    Process start(Message.ExecStart request) throws InterruptedException {
        String[] argv = request.argv();
        if (argv == null || argv.length == 0 || argv[0] == null || argv[0].isEmpty()) {
            throw new OperationFailedException(ErrorCode.INVALID_REQUEST, "exec needs a program to run", null);
        }
        ProcessBuilder pb = new ProcessBuilder();
        Map<String, String> env = pb.environment();
        applyEnvironment(request, env);
        if (request.workDir() != null) {
            File dir = new File(request.workDir());
            if (!dir.isDirectory()) {
                throw new OperationFailedException(
                        ErrorCode.PROCESS_START_FAILED,
                        "cannot start " + argv[0] + ": working directory " + dir + " does not exist",
                        null);
            }
            pb.directory(dir);
        }
        File base = pb.directory() != null ? pb.directory() : new File(System.getProperty("user.dir"));
        String program = resolve(argv[0], env.get("PATH"), base.toPath());
        List<String> command = new ArrayList<>();
        boolean viaPerl = setsid == null && perl != null;
        if (setsid != null) {
            command.add(setsid);
        } else if (viaPerl) {
            command.add(perl);
            command.add("-e");
            command.add(PRELUDE);
            command.add(Long.toString(prctlSyscall));
        }
        // The perl prelude keeps the argv[0] the caller asked for; setsid and Java pass the resolved path.
        command.add(program);
        for (int i = viaPerl ? 0 : 1; i < argv.length; i++) {
            command.add(argv[i]);
        }
        pb.command(command);
        if (!request.pipeStdin()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Future<Process> started = spawner.submit(pb::start);
        try {
            return started.get();
        } catch (ExecutionException e) {
            throw new OperationFailedException(
                    ErrorCode.PROCESS_START_FAILED,
                    "cannot start " + argv[0] + ": " + e.getCause().getMessage(),
                    e);
        }
    }

    private static void applyEnvironment(Message.ExecStart request, Map<String, String> env) {
        if (request.clearEnv()) {
            env.clear();
        }
        if (request.unsetEnv() != null) {
            for (String name : request.unsetEnv()) {
                env.remove(name);
            }
        }
        if (request.env() != null) {
            Map<String, String> set = new HashMap<>();
            for (String pair : request.env()) {
                int eq = pair == null ? -1 : pair.indexOf('=');
                if (eq <= 0) {
                    throw new OperationFailedException(
                            ErrorCode.INVALID_REQUEST, "environment entry is not NAME=VALUE: " + pair, null);
                }
                set.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            env.putAll(set);
        }
    }

    /**
     * Finds the program the way a shell would, so a missing one is a clear error rather than perl's exit 127.
     * Relative names and empty PATH entries are taken from the process's working directory, as the shell would.
     */
    private static String resolve(String program, String path, Path workDir) {
        if (program.contains("/")) {
            Path p = workDir.resolve(program);
            if (!Files.exists(p)) {
                throw new OperationFailedException(
                        ErrorCode.PROCESS_START_FAILED, "cannot start " + program + ": no such file", null);
            }
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new OperationFailedException(
                        ErrorCode.PROCESS_START_FAILED, "cannot start " + program + ": not executable", null);
            }
            return p.toString();
        }
        String searchPath = path != null ? path : "/usr/local/bin:/usr/bin:/bin";
        for (String dir : searchPath.split(":")) {
            Path candidate = workDir.resolve(dir).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new OperationFailedException(
                ErrorCode.PROCESS_START_FAILED,
                "cannot start " + program + ": not found on PATH (" + searchPath + ")",
                new IOException("No such file or directory"));
    }

    /** The first of {@code candidates} that is an executable file, or null. */
    static String find(String... candidates) {
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private static long prctlSyscallNumber() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return 0;
        }
        switch (System.getProperty("os.arch", "")) {
            case "amd64":
            case "x86_64":
                return 157;
            case "aarch64":
            case "arm64":
                return 167;
            default:
                return 0;
        }
    }
}
