package io.mycelium.agent;

import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Entry point of the remote agent. Speaks the wire protocol on stdin and stdout, never opens a socket, and exits when
 * stdin closes, taking every process it started with it.
 *
 * <p>Options (system properties): {@code mycelium.maxFrame} (bytes, default 1 MiB), {@code mycelium.window} (initial
 * credit per channel, default 256 KiB), {@code mycelium.workers} (worker threads, default 512).
 */
public final class AgentMain {
    private AgentMain() {}

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
