package io.mycelium.mesh.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Copies a process's output into {@code name}, rolling it to {@code name.1} ... {@code name.N} when it reaches the
 * size limit, so a chatty instance never fills the disk. One daemon thread per stream, ending with the stream.
 */
final class RotatingLog {
    private final Path file;
    private final long maxBytes;
    private final int keep;

    RotatingLog(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** Starts copying {@code in} to the log on a daemon thread. */
    void pump(InputStream in, String threadName) {
        Thread thread = new Thread(() -> copy(in), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            OutputStream out = open();
            long size = Files.size(file);
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int off = 0; off < n; ) {
                    if (size >= maxBytes) {
                        out.close();
                        roll();
                        out = open();
                        size = 0;
                    }
                    int chunk = (int) Math.min(n - off, maxBytes - size);
                    out.write(buffer, off, chunk);
                    off += chunk;
                    size += chunk;
                }
                out.flush();
            }
            out.close();
        } catch (IOException e) {
            // The process ended or the directory went away: nothing more to log.
        }
    }

    private OutputStream open() throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void roll() throws IOException {
        for (int i = keep - 1; i >= 1; i--) {
            Path older = Path.of(file + "." + i);
            if (Files.exists(older)) {
                Files.move(older, Path.of(file + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, Path.of(file + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
}
