package io.mycelium.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A {@code cat} child process used as an echo server over its stdin and stdout pipes: the local transport's floor. */
@State(Scope.Benchmark)
public class CatEcho {
    private static final int MESSAGE = 16;

    private final byte[] message = new byte[MESSAGE];
    private Process process;
    private OutputStream toCat;
    private InputStream fromCat;

    /** Starts {@code cat}. */
    @Setup(Level.Trial)
    public void start() throws IOException {
        process = new ProcessBuilder("cat")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        toCat = process.getOutputStream();
        fromCat = process.getInputStream();
    }

    /** Writes the message, flushes, and reads it back. */
    public byte[] roundTrip() throws IOException {
        message[0]++;
        toCat.write(message);
        toCat.flush();
        byte[] echo = fromCat.readNBytes(MESSAGE);
        if (echo.length != MESSAGE || echo[0] != message[0]) {
            throw new IOException("cat echoed " + echo.length + " bytes, not the message");
        }
        return echo;
    }

    /** Closes {@code cat}'s stdin and waits for it to exit. */
    @TearDown(Level.Trial)
    public void stop() throws IOException, InterruptedException {
        toCat.close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
