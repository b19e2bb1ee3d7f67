package io.mycelium.agent;

import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the remote agent. Speaks the wire protocol on stdin and stdout, never opens a socket, and exits when
 * stdin closes, taking every process it started with it.
 *
 * <p>Options (system properties): {@code mycelium.maxFrame} (bytes, default 1 MiB), {@code mycelium.window} (initial
 * credit per channel, default 256 KiB), {@code mycelium.workers} (worker threads, default 512), {@code
 * mycelium.unlinkJar} (a jar file to delete once loaded: stage 1 wrote it for this JVM only).
 */
public final class AgentMain {
    private AgentMain() {}

    /**
     * Removes the jar stage 1 wrote for this JVM. The class loader holds it open, so the agent keeps running from it,
     * and nothing of the agent is left on the host's disk.
     */
    private static void unlinkJar(String path) {
        if (path == null) {
            return;
        }
        try {
            // Load a class from the jar first, so the JVM surely has it open.
            Class.forName("io.mycelium.agent.AgentConnection");
            Files.deleteIfExists(Path.of(path));
        } catch (IOException | ClassNotFoundException e) {
            System.err.println("mycelium-agent: could not remove " + path + ": " + e);
        }
    }

    /** Runs the agent until stdin closes. */
    public static void main(String[] args) throws IOException {
        FileOutputStream rawOut = new FileOutputStream(FileDescriptor.out);
        // Anything printed by accident must not corrupt the frame stream.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        AgentConnection.Settings settings = new AgentConnection.Settings(
                Integer.getInteger("mycelium.maxFrame", Frame.DEFAULT_MAX_LENGTH),
                Integer.getInteger("mycelium.window", 256 * 1024),
                Integer.getInteger("mycelium.workers", 512));
        Outbound outbound = new Outbound(new BufferedOutputStream(rawOut, 128 * 1024), settings.maxFrameLength());
        String perl = ProcessLauncher.find("/usr/bin/perl", "/bin/perl", "/usr/local/bin/perl");
        String setsid = ProcessLauncher.find("/usr/bin/setsid", "/bin/setsid");
        OrphanGuard guard = OrphanGuard.start(perl);
        AgentConnection connection = new AgentConnection(settings, outbound, new ProcessLauncher(setsid, perl), guard);
        unlinkJar(System.getProperty("mycelium.unlinkJar"));
        outbound.start(FrameDecoder.PREAMBLE);
        outbound.send(Frame.CONTROL_STREAM, AgentConnection.hello(settings));
        try {
            connection.serve(new FileInputStream(FileDescriptor.in));
        } catch (AgentConnection.ShutdownRequested goodbye) {
            // Orderly end: serve() already stopped every stream.
        }
        System.exit(0);
    }
}
