package io.mycelium.wasm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Collects what a module writes on one stream, up to a limit. Past the limit it either drops the rest silently
 * (stderr: a capture) or reports it once to {@code onExceeded} and fails the write (stdout: a limit).
 */
final class BoundedOutput extends OutputStream {
    private final long limit;
    private final Runnable onExceeded;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long total;
    private boolean exceeded;

    /** @param onExceeded called once when a write would pass {@code limit}; null to truncate silently instead */
    BoundedOutput(long limit, Runnable onExceeded) {
        this.limit = limit;
        this.onExceeded = onExceeded;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        total += len;
        long room = limit - bytes.size();
        if (len <= room) {
            bytes.write(b, off, len);
            return;
        }
        if (onExceeded == null) {
            bytes.write(b, off, (int) Math.max(0, room));
            return;
        }
        if (!exceeded) {
            exceeded = true;
            onExceeded.run();
        }
        throw new IOException("output limit of " + limit + " bytes exceeded");
    }

    synchronized void reset() {
        bytes.reset();
        total = 0;
        exceeded = false;
    }

    synchronized byte[] toByteArray() {
        return bytes.toByteArray();
    }

    /** Bytes written, including those dropped or refused. */
    synchronized long total() {
        return total;
    }

    /** The first {@code max} bytes kept, as UTF-8 with malformed sequences replaced. */
    synchronized String text(int max) {
        if (bytes.size() == 0) {
            return "";
        }
        byte[] all = bytes.toByteArray();
        return new String(all, 0, Math.min(max, all.length), StandardCharsets.UTF_8);
    }
}
