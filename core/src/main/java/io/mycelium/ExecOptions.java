package io.mycelium;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * How to run a process: environment, working directory, stdin and a timeout. Immutable; each {@code with...} method
 * returns a copy.
 *
 * @param environment variables to set on top of the agent's environment
 * @param unsetEnvironment variables to remove from the agent's environment
 * @param clearEnvironment start from an empty environment instead of the agent's
 * @param workDir the working directory, or null for the agent's
 * @param stdin bytes for the process's stdin, streamed under back-pressure; null for an empty stdin
 * @param timeout kill the process tree after this long; null for none
 * @param maxCollectedBytes for {@link Context#procExec}: the most bytes kept per output stream; more is dropped and
 *     the result says it was truncated
 */
public record ExecOptions(
        Map<String, String> environment,
        List<String> unsetEnvironment,
        boolean clearEnvironment,
        String workDir,
        Source<ByteString, ?> stdin,
        Duration timeout,
        int maxCollectedBytes) {

    /** 64 MiB per stream. */
    public static final int DEFAULT_MAX_COLLECTED_BYTES = 64 << 20;

    /** Validates and copies. */
    public ExecOptions {
        environment = Map.copyOf(environment);
        unsetEnvironment = List.copyOf(unsetEnvironment);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxCollectedBytes < 0) {
            throw new IllegalArgumentException("maxCollectedBytes must not be negative: " + maxCollectedBytes);
        }
    }

    /** The agent's environment and working directory, empty stdin, no timeout. */
    public static ExecOptions defaults() {
        return new ExecOptions(Map.of(), List.of(), false, null, null, null, DEFAULT_MAX_COLLECTED_BYTES);
    }

    /** Sets one environment variable. */
    public ExecOptions withEnv(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("invalid environment variable name: " + name);
        }
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new ExecOptions(env, unsetEnvironment, clearEnvironment, workDir, stdin, timeout, maxCollectedBytes);
    }

    /** Removes one inherited environment variable. */
    public ExecOptions withoutEnv(String name) {
        List<String> unset = new ArrayList<>(unsetEnvironment);
        unset.add(Objects.requireNonNull(name, "name"));
        return new ExecOptions(environment, unset, clearEnvironment, workDir, stdin, timeout, maxCollectedBytes);
    }

    /** Starts from an empty environment: only variables set with {@link #withEnv} are passed. */
    public ExecOptions withClearEnvironment() {
        return new ExecOptions(environment, unsetEnvironment, true, workDir, stdin, timeout, maxCollectedBytes);
    }

    /** Runs the process in {@code dir} on the agent's host. */
    public ExecOptions withWorkDir(String dir) {
        return new ExecOptions(environment, unsetEnvironment, clearEnvironment, dir, stdin, timeout, maxCollectedBytes);
    }

    /** Streams {@code source} to the process's stdin, then closes it. */
    public ExecOptions withStdin(Source<ByteString, ?> source) {
        return new ExecOptions(
                environment, unsetEnvironment, clearEnvironment, workDir, source, timeout, maxCollectedBytes);
    }

    /** Sends {@code bytes} as the process's stdin, then closes it. */
    public ExecOptions withStdin(byte[] bytes) {
        Source<ByteString, NotUsed> source = Source.single(ByteString.fromArray(bytes));
        return withStdin(source);
    }

    /** Kills the process tree when it runs longer than {@code limit}. */
    public ExecOptions withTimeout(Duration limit) {
        return new ExecOptions(
                environment, unsetEnvironment, clearEnvironment, workDir, stdin, limit, maxCollectedBytes);
    }

    /** Keeps at most {@code bytes} of each output stream in {@link Context#procExec}'s result. */
    public ExecOptions withMaxCollectedBytes(int bytes) {
        return new ExecOptions(environment, unsetEnvironment, clearEnvironment, workDir, stdin, timeout, bytes);
    }
}
