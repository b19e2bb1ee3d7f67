package io.mycelium.transfer;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes the message sequence produced by a {@link TreeReader} below a destination. Each file goes to a temporary name
 * in its final directory, is checked against its sha256, fsync'd and renamed into place, so a failure never leaves a
 * half-written file under the real name. Entry paths are confined to the destination: absolute paths, {@code ..}
 * segments and paths through a symbolic link that leads outside are refused. Directory modes and times are applied at
 * the end, so a read-only directory still receives its children. Not thread-safe.
 *
 * <p>{@link #accept} throws {@link OperationFailedException} on any failure; call {@link #close()} afterwards to remove
 * the partial file.
 */
public final class TreeWriter implements AutoCloseable {
    private final Path destination;
    private final List<Directory> directories = new ArrayList<>();
    private final Set<Path> touchedDirectories = new LinkedHashSet<>();
    private Path realDestination;
    private Message.EntryHeader current;
    private Path currentTarget;
    private Path temp;
    private FileChannel channel;
    private MessageDigest digest;
    private long entries;
    private long bytes;
    private boolean done;

    /** @param destination the path the transfer's root entry becomes */
    public TreeWriter(Path destination) {
        this.destination = destination.toAbsolutePath().normalize();
    }

    /**
     * Applies one message of the transfer.
     *
     * @return the completion message once {@link Message.TransferEnd} was applied, else null
     */
    public Message.TransferDone accept(Message message) {
        try {
            if (done) {
                throw invalid("message after the end of the transfer: "
                        + message.getClass().getSimpleName());
            }
            if (message instanceof Message.EntryHeader header) {
                startEntry(header);
            } else if (message instanceof Message.FileChunk chunk) {
                write(chunk.data());
            } else if (message instanceof Message.EntryEnd end) {
                finishFile(end.sha256());
            } else if (message instanceof Message.TransferEnd end) {
                return finish(end);
            } else {
                throw invalid("unexpected message in a transfer: "
                        + message.getClass().getSimpleName());
            }
            return null;
        } catch (IOException e) {
            throw OperationFailedException.fromIo("writing", currentTarget != null ? currentTarget : destination, e);
        }
    }

    /** Bytes of file content written so far. */
    public long bytesWritten() {
        return bytes;
    }

    /** Removes a partially written file, if any. Safe to call at any time and more than once. */
    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The temporary file is deleted next; its content does not matter.
            }
            channel = null;
        }
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort: the name marks it as ours and partial.
            }
            temp = null;
        }
    }

    private void startEntry(Message.EntryHeader header) throws IOException {
        if (channel != null) {
            throw invalid("entry " + header.path() + " started before " + current.path() + " ended");
        }
        if (header.type() == null || header.path() == null) {
            throw invalid("entry header without a type or path");
        }
        Path target = resolve(header.path());
        currentTarget = target;
        current = header;
        entries++;
        switch (header.type()) {
            case DIRECTORY -> {
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new OperationFailedException(
                            ErrorCode.INVALID_REQUEST, target + " exists and is not a directory", null);
                }
                Files.createDirectories(target);
                directories.add(new Directory(target, header.mode(), header.mtimeMillis()));
                touch(target.getParent());
            }
            case SYMLINK -> {
                if (header.linkTarget() == null) {
                    throw invalid("symbolic link " + header.path() + " without a target");
                }
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(header.linkTarget()));
                touch(target.getParent());
            }
            case FILE -> openTemp(target);
        }
    }

    private void openTemp(Path target) throws IOException {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new OperationFailedException(ErrorCode.INVALID_REQUEST, target + " is a directory", null);
        }
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) {
            throw new OperationFailedException(
                    ErrorCode.FILE_NOT_FOUND, "directory " + parent + " does not exist", null);
        }
        while (channel == null) {
            temp = parent.resolve("." + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".mycelium-part");
            try {
                channel = FileChannel.open(
                        temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
            } catch (FileAlreadyExistsException collision) {
                temp = null;
            }
        }
        digest = Sha256.newDigest();
    }

    private void write(byte[] data) throws IOException {
        if (channel == null) {
            throw invalid("file data outside a file entry");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        digest.update(data);
        bytes += data.length;
    }

    private void finishFile(byte[] expected) throws IOException {
        if (channel == null) {
            throw invalid("end of a file that was not started");
        }
        byte[] actual = digest.digest();
        if (!Arrays.equals(actual, expected)) {
            throw new OperationFailedException(
                    ErrorCode.INTEGRITY_ERROR,
                    "sha256 of " + currentTarget + " is " + HexFormat.of().formatHex(actual) + ", sender says "
                            + (expected == null ? "nothing" : HexFormat.of().formatHex(expected)),
                    null);
        }
        channel.force(true);
        channel.close();
        channel = null;
        setMode(temp, current.mode());
        Files.move(temp, currentTarget, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        temp = null;
        Files.setLastModifiedTime(currentTarget, FileTime.fromMillis(current.mtimeMillis()));
        touch(currentTarget.getParent());
    }

    private Message.TransferDone finish(Message.TransferEnd end) throws IOException {
        if (channel != null) {
            throw invalid("transfer ended inside file " + current.path());
        }
        if (end.entries() != entries || end.bytes() != bytes) {
            throw new OperationFailedException(
                    ErrorCode.INTEGRITY_ERROR,
                    "transfer to " + destination + " ended with " + entries + " entries and " + bytes
                            + " bytes, sender says " + end.entries() + " and " + end.bytes(),
                    null);
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            Directory dir = directories.get(i);
            setMode(dir.path(), dir.mode());
            Files.setLastModifiedTime(dir.path(), FileTime.fromMillis(dir.mtimeMillis()));
        }
        for (Path dir : touchedDirectories) {
            fsyncDirectory(dir);
        }
        done = true;
        return new Message.TransferDone(entries, bytes);
    }

    private Path resolve(String relative) throws IOException {
        if (realDestination == null) {
            if (!relative.isEmpty()) {
                throw invalid("the first entry must be the root, got " + relative);
            }
            Path parent = destination.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new OperationFailedException(
                        ErrorCode.FILE_NOT_FOUND, "directory " + parent + " does not exist", null);
            }
            realDestination = parent.toRealPath().resolve(destination.getFileName());
            return realDestination;
        }
        if (relative.isEmpty()) {
            throw invalid("a second root entry");
        }
        if (relative.startsWith("/") || relative.contains("\\") || relative.contains("\0")) {
            throw invalid("unsafe entry path " + relative);
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid("unsafe entry path " + relative);
            }
        }
        Path target = realDestination.resolve(relative);
        Path realParent = target.getParent().toRealPath();
        if (!realParent.startsWith(realDestination)) {
            throw invalid("entry path " + relative + " leads outside " + destination + " through a symbolic link");
        }
        return realParent.resolve(target.getFileName());
    }

    private void touch(Path dir) {
        if (dir != null) {
            touchedDirectories.add(dir);
        }
    }

    private static void setMode(Path path, int mode) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixModes.toPermissions(mode));
        } catch (UnsupportedOperationException notPosix) {
            // A file system without POSIX permissions keeps its defaults.
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Some platforms cannot open a directory; the files themselves were fsync'd.
        }
    }

    private record Directory(Path path, int mode, long mtimeMillis) {}

    private static OperationFailedException invalid(String message) {
        return new OperationFailedException(ErrorCode.INVALID_REQUEST, message, null);
    }
}
