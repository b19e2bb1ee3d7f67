package io.mycelium.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A program a {@link Hop} runs on its host: its pipes, what it said on stderr, and how it ended. */
public interface HopProcess {
    /** The program's stdout. A lost hop makes a read fail with an {@link java.io.IOException} naming the hop. */
    InputStream stdout();

    /** The program's stdin. */
    OutputStream stdin();

    /** The last few KiB the program wrote to stderr, so far. */
    String stderr();

    /** Waits at most {@code limit} for the program to end: its exit code, or -1 when it did not end or is unknown. */
    int awaitExit(Duration limit);

    /** Closes the program's stdin, its polite signal to stop; kills it when it has not ended 2 s later. */
    void close();

    /** Kills the program now. */
    void kill();

    /** The hop could not start the program at all (it is not installed there): reading its stdout throws this. */
    final class ProgramNotStarted extends IOException {
        /** With the hop's reason. */
        public ProgramNotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
