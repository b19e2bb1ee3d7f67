package io.mycelium.wire;

/**
 * Every message of the protocol. A message travels as the payload of one {@link Frame}; its stream says which
 * operation it belongs to. Registration ids live in {@link MessageRegistry}; protocol.md in docs/ describes the
 * exchanges.
 */
public sealed interface Message {

    /**
     * First message each side sends on the control stream.
     *
     * @param protocolVersion {@link MessageRegistry#PROTOCOL_VERSION} of the sender
     * @param registryHash {@link MessageRegistry#hash()} of the sender
     * @param software the sender's software name and version
     * @param pid the sender's process id
     * @param javaVersion the Java runtime the sender runs on
     * @param os {@code os.name} of the sender
     * @param arch {@code os.arch} of the sender
     * @param initialWindow the credit, in bytes, the sender grants on every data channel of a new stream
     * @param maxFrameLength the largest frame payload the sender accepts
     */
    record Hello(
            int protocolVersion,
            String registryHash,
            String software,
            long pid,
            String javaVersion,
            String os,
            String arch,
            int initialWindow,
            int maxFrameLength)
            implements Message {}

    /** Liveness probe on the control stream; answered by a {@link Pong} with the same id. */
    record Ping(long id) implements Message {}

    /** Answer to the {@link Ping} with the same id. */
    record Pong(long id) implements Message {}

    /** The sender is closing the connection on purpose. */
    record Goodbye(String reason) implements Message {}

    /**
     * Opens a stream that runs a process.
     *
     * @param argv program and arguments; the program is looked up on PATH when it has no slash
     * @param env variables to set, each {@code NAME=VALUE}
     * @param unsetEnv names of variables to remove from the inherited environment
     * @param clearEnv start from an empty environment instead of the agent's
     * @param workDir working directory, or null for the agent's
     * @param pipeStdin whether {@link StdinData} follows; otherwise stdin is empty
     * @param timeoutMillis kill the process tree after this long; 0 for none
     */
    record ExecStart(
            String[] argv,
            String[] env,
            String[] unsetEnv,
            boolean clearEnv,
            String workDir,
            boolean pipeStdin,
            long timeoutMillis)
            implements Message {}

    /**
     * Opens a stream that starts a child link: a program on the agent's host (an {@code ssh} client, a shell) that
     * reaches another host, through which the controller bootstraps and then talks to the agent there. The stream
     * behaves like an exec with piped stdin (the same messages follow: {@link ExecStarted}, {@link StdinData}, {@link
     * Output}, {@link Exited}, ...); the bytes on its stdin and stdout are the child connection, which this agent
     * forwards without reading. {@code identity} and {@code knownHosts}, when not null, are written to files (mode
     * 0600) in a private directory in the agent's memory directory; every {@code {identity}} and {@code {known_hosts}}
     * in {@code argv} becomes that file's path. The directory is removed when the program first writes to stdout (it
     * authenticated and the child's stage 1 runs) or ends, whichever comes first.
     *
     * @param argv program and arguments, looked up on the agent's PATH
     * @param identity an SSH private key for the program, or null
     * @param knownHosts a known_hosts file for the program, or null
     */
    record ChildStart(String[] argv, byte[] identity, byte[] knownHosts) implements Message {}

    /** The process of the stream started with this pid (also its process group id where supported). */
    record ExecStarted(long pid) implements Message {}

    /** Bytes for the process's stdin, sent under {@link Channel#STDIN} credit. */
    record StdinData(byte[] data) implements Message {}

    /** No more stdin: the process sees end of file. */
    record StdinEof() implements Message {}

    /** Bytes the process wrote to {@code channel} (stdout or stderr), sent under that channel's credit. */
    record Output(Channel channel, byte[] data) implements Message {}

    /**
     * The process ended; last message of an exec stream.
     *
     * @param exitCode the exit status; 128+N when killed by signal N
     * @param signal the signal that killed the process when the agent sent it, else 0
     * @param timedOut whether the agent killed it for running past its timeout
     * @param cancelled whether the agent killed it because the controller cancelled
     * @param durationNanos time from start to exit
     */
    record Exited(int exitCode, int signal, boolean timedOut, boolean cancelled, long durationNanos)
            implements Message {}

    /** Stop the operation of this stream: kills an exec's process tree, aborts a transfer. */
    record Cancel() implements Message {}

    /** Opens a stream that writes the entries that follow under {@code path} on the agent's host. */
    record PutStart(String path) implements Message {}

    /** Opens a stream that reads {@code path} (a file or a directory tree) on the agent's host. */
    record GetStart(String path) implements Message {}

    /**
     * Starts one entry of a transfer; a file's bytes follow as {@link FileChunk}s closed by an {@link EntryEnd}.
     *
     * @param path relative path below the transfer root with '/' separators; empty for the root itself
     * @param type what the entry is
     * @param mode permission bits (e.g. 0755)
     * @param mtimeMillis last modification time
     * @param size expected byte count of a file
     * @param linkTarget target of a symbolic link, else null
     */
    record EntryHeader(String path, EntryType type, int mode, long mtimeMillis, long size, String linkTarget)
            implements Message {}

    /** File bytes, sent under {@link Channel#DATA} credit. */
    record FileChunk(byte[] data) implements Message {}

    /** Closes a file entry with the sha256 of all its bytes. */
    record EntryEnd(byte[] sha256) implements Message {}

    /** The sender has sent every entry. */
    record TransferEnd(long entries, long bytes) implements Message {}

    /** The receiver wrote every entry durably; last message of a transfer stream. */
    record TransferDone(long entries, long bytes) implements Message {}

    /** The receiver consumed bytes of {@code channel}; the sender may send {@code bytes} more. */
    record CreditGrant(Channel channel, int bytes) implements Message {}

    /**
     * The operation of this stream failed; last message of the stream. On the control stream it ends the connection.
     *
     * @param code stable error code
     * @param message what happened and, where known, what to do
     * @param causes the remote cause chain, outermost first
     */
    record Failure(ErrorCode code, String message, RemoteCause[] causes) implements Message {}

    /** One link of a remote cause chain. */
    record RemoteCause(String type, String message) {}

    /** The data channels of a stream; each has its own credit window. */
    enum Channel {
        STDIN,
        STDOUT,
        STDERR,
        DATA
    }

    /** Kinds of transfer entries. */
    enum EntryType {
        FILE,
        DIRECTORY,
        SYMLINK
    }
}
