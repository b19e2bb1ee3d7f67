package io.mycelium.agent;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The secrets a child link's program needs on this host (an SSH key, a known_hosts file), held in a private directory
 * of the memory file system ({@code /dev/shm}, else {@code java.io.tmpdir}) for as short as possible: from the start of
 * the program until it first writes to stdout (it authenticated; the child's stage 1 runs) or ends.
 */
final class ChildFiles {
    static final String IDENTITY = "{identity}";
    static final String KNOWN_HOSTS = "{known_hosts}";

    private final Path dir;
    private final AtomicBoolean removed = new AtomicBoolean();

    private ChildFiles(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes the request's files and turns it into the exec that runs the program.
     *
     * @return the files (to remove later) and the exec
     */
    static Prepared prepare(Message.ChildStart start) {
        if (start.argv() == null || start.argv().length == 0) {
            throw new OperationFailedException(ErrorCode.INVALID_REQUEST, "a child link needs a program", null);
        }
        ChildFiles files = null;
        String[] argv = start.argv().clone();
        if (start.identity() != null || start.knownHosts() != null) {
            files = new ChildFiles(createDir());
            try {
                String identity = files.write("identity", start.identity());
                String knownHosts = files.write("known_hosts", start.knownHosts());
                for (int i = 0; i < argv.length; i++) {
                    String arg = argv[i] == null ? "" : argv[i];
                    if (identity != null) {
                        arg = arg.replace(IDENTITY, identity);
                    }
                    if (knownHosts != null) {
                        arg = arg.replace(KNOWN_HOSTS, knownHosts);
                    }
                    argv[i] = arg;
                }
            } catch (IOException e) {
                files.remove();
                throw new OperationFailedException(
                        ErrorCode.IO_ERROR, "agent: cannot write the child link's files in " + files.dir, e);
            }
        }
        Message.ExecStart exec = new Message.ExecStart(argv, new String[0], new String[0], false, null, true, 0);
        return new Prepared(files, exec);
    }

    /** What {@link #prepare} made. {@code files} is null when the request carried none. */
    record Prepared(ChildFiles files, Message.ExecStart exec) {}

    private static Path createDir() {
        Path shm = Path.of("/dev/shm");
        Path base =
                Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            return Files.createTempDirectory(
                    base,
                    "mycelium-child-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new OperationFailedException(
                    ErrorCode.IO_ERROR, "agent: cannot create a private directory in " + base + " for a child link", e);
        }
    }

    private String write(String name, byte[] content) throws IOException {
        if (content == null) {
            return null;
        }
        Path file = dir.resolve(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, content);
        return file.toString();
    }

    /** Deletes the files and their directory; later calls do nothing. */
    void remove() {
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Files.deleteIfExists(entry);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("mycelium-agent: cannot remove " + dir + ": " + e);
        }
    }
}
