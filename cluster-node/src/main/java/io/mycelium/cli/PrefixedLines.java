package io.mycelium.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One host's stdout or stderr as whole lines, each written as {@code host | line} in one write, so lines of hosts
 * running at once never mix. A last line without a newline is written at {@link #finish()}.
 */
final class PrefixedLines {
    private final byte[] prefix;
    private final OutputStream out;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    PrefixedLines(String host, OutputStream out) {
        this.prefix = (host + " | ").getBytes(StandardCharsets.UTF_8);
        this.out = out;
    }

    /** Writes the complete lines in {@code bytes} and keeps the rest for the next call. */
    void accept(byte[] bytes) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                partial.write(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        partial.write(bytes, start, bytes.length - start);
    }

    /** Writes what is left as a last line. */
    void finish() {
        if (partial.size() > 0) {
            emit();
        }
    }

    private void emit() {
        byte[] line = new byte[prefix.length + partial.size() + 1];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        byte[] text = partial.toByteArray();
        System.arraycopy(text, 0, line, prefix.length, text.length);
        line[line.length - 1] = '\n';
        partial.reset();
        synchronized (out) {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
