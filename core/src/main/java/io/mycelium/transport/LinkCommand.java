package io.mycelium.transport;

import java.io.IOException;
import java.util.List;

/**
 * The program a {@link ViaTransport} runs on the parent's host to start stage 1 there ({@code ssh ... host --
 * STAGE1}, {@code sudo ... sh -c STAGE1}), and what must be said to it before stage 1 speaks (a password prompt).
 */
public interface LinkCommand {
    /** The program and arguments, as the parent's host runs them, that run {@code stage1}, a POSIX shell command. */
    List<String> argv(String stage1);

    /**
     * Runs once the program started, before the bootstrap: reads the program's output only up to where stage 1's
     * begins, and answers what it asks. Nothing to do unless overridden.
     *
     * @param hopName the parent context's name, for messages
     * @throws io.mycelium.wire.OperationFailedException the failure to report, such as a refused password
     * @throws IOException when the parent's connection failed
     */
    default void prepare(HopProcess program, String hopName) throws IOException {}

    /** What sets this command apart from others in a transport's pool key; never a secret. */
    String key();

    /** The command {@code prefix} followed by stage 1 as one more argument. */
    static LinkCommand prefix(List<String> prefix) {
        List<String> words = List.copyOf(prefix);
        return new LinkCommand() {
            @Override
            public List<String> argv(String stage1) {
                List<String> argv = new java.util.ArrayList<>(words);
                argv.add(stage1);
                return argv;
            }

            @Override
            public String key() {
                return words.toString();
            }
        };
    }
}
