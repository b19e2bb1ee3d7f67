package io.mycelium.host;

import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A process to run, as decided: limits and user switch already folded into the command, the environment
 * sanitised.
 *
 * @param command program and arguments
 * @param environment variables to set on top of the agent's
 * @param workDir the working directory, or null
 * @param stdin bytes for stdin; null for none (or for a streamed stdin)
 * @param streamStdin whether stdin is streamed by the client (the reply then carries a {@code SinkRef})
 * @param timeout kill the process tree after this long; null for none
 */
public record RunSpec(
        List<String> command,
        Map<String, String> environment,
        String workDir,
        byte[] stdin,
        boolean streamStdin,
        Duration timeout)
        implements KryoSerializable {}
