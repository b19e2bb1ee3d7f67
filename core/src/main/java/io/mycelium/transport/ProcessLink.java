package io.mycelium.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A link to an agent reached through a child process's stdin and stdout: the agent itself, or a program that carries
 * its bytes ({@code ssh}, {@code docker exec}, {@code setpriv}). Closing ends the process and everything it started.
 */
public final class ProcessLink implements AgentLink {
    private final Process process;
    private final String loadPath;
    private final CommandTransport.StderrTail stderr;
    private final String banner;

    /** @param loadPath how the agent got into its JVM, for {@code ensureAgent()}'s report */
    public ProcessLink(Process process, String loadPath) {
        this(process, loadPath, null, "");
    }

    ProcessLink(Process process, String loadPath, CommandTransport.StderrTail stderr, String banner) {
        this.process = process;
        this.loadPath = loadPath;
        this.stderr = stderr;
        this.banner = banner;
    }

    @Override
    public String banner() {
        return banner;
    }

    @Override
    public InputStream fromAgent() {
        return process.getInputStream();
    }

    @Override
    public OutputStream toAgent() {
        return process.getOutputStream();
    }

    @Override
    public String loadPath() {
        return loadPath;
    }

    @Override
    public String diagnostics() {
        return stderr == null ? "" : stderr.snapshot().strip();
    }

    /** Closes the agent's stdin, its polite signal to stop; kills the process tree if it has not exited in 2 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException alreadyClosed) {
            // Closing stdin is only the polite way to stop it; the kill below is the sure one.
        }
        process.onExit().orTimeout(2, TimeUnit.SECONDS).whenComplete((p, timeout) -> {
            if (timeout != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        });
    }
}
