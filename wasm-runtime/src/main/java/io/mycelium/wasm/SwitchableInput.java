package io.mycelium.wasm;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** A module's stdin: each call gets its own payload, read to its end; a kept instance sees the next one next time. */
final class SwitchableInput extends InputStream {
    private volatile InputStream current = InputStream.nullInputStream();

    void set(byte[] payload) {
        current = new ByteArrayInputStream(payload);
    }

    @Override
    public int read() throws java.io.IOException {
        return current.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
        return current.read(b, off, len);
    }

    @Override
    public int available() throws java.io.IOException {
        return current.available();
    }
}
