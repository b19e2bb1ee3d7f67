package io.mycelium.transport;

import io.mycelium.bootstrap.AgentJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent as a child process of this JVM, with this JVM's Java. The jar is cached by hash under the user's cache
 * directory ({@code $XDG_CACHE_HOME/mycelium} or {@code ~/.cache/mycelium}). The agent's own diagnostics on stderr go
 * to this JVM's log.
 */
public final class LocalTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(LocalTransport.class);

    private final List<String> extraJvmFlags;

    /** A local transport with the default agent JVM flags. */
    public LocalTransport() {
        this(List.of());
    }

    /** A local transport whose agent JVM gets {@code extraJvmFlags} after the defaults (e.g. {@code -Xmx64m}). */
    public LocalTransport(List<String> extraJvmFlags) {
        this.extraJvmFlags = List.copyOf(extraJvmFlags);
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public String poolKey() {
        return "local " + extraJvmFlags;
    }

    @Override
    public AgentLink open() throws IOException {
        Path jar = AgentJar.embedded().materialize(cacheDir());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(AgentJvm.flagsFor(Runtime.version().feature()));
        command.addAll(extraJvmFlags);
        command.add("-cp");
        command.add(jar.toString());
        command.add(AgentJvm.MAIN_CLASS);
        Process process = new ProcessBuilder(command).start();
        Thread diagnostics = new Thread(() -> logStderr(process), "mycelium-agent-stderr-" + process.pid());
        diagnostics.setDaemon(true);
        diagnostics.start();
        return new ProcessLink(process, "local process (" + jar + ")");
    }

    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mycelium");
    }

    private static void logStderr(Process process) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.warn("agent {}: {}", process.pid(), line);
            }
        } catch (IOException ended) {
            // The agent is gone; so is its stderr.
        }
    }
}
