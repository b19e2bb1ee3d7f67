package io.mycelium.transfer;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Reads a file or a directory tree as the message sequence of a transfer: per entry an {@link Message.EntryHeader},
 * then for a file its {@link Message.FileChunk}s and an {@link Message.EntryEnd} with its sha256, and finally one
 * {@link Message.TransferEnd}. Lazy: one file is open at a time and one chunk is in memory, so a tree of any size reads
 * in flat memory. Symbolic links are sent as links, never followed (except the root). Not thread-safe.
 *
 * <p>{@link #next()} throws {@link OperationFailedException} when the source cannot be read.
 */
public final class TreeReader implements Iterator<Message>, AutoCloseable {
    private final Path root;
    private final int chunkSize;
    private final Deque<Path> pending = new ArrayDeque<>();
    private InputStream open;
    private MessageDigest digest;
    private Message next;
    private boolean finished;
    private long entries;
    private long bytes;

    /**
     * @param root the file or directory to send
     * @param chunkSize the largest chunk to emit
     */
    public TreeReader(Path root, int chunkSize) {
        this.root = root;
        this.chunkSize = chunkSize;
        pending.add(root);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public Message next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Message m = next;
        next = null;
        return m;
    }

    @Override
    public void close() {
        if (open != null) {
            try {
                open.close();
            } catch (IOException ignored) {
                // Read-only stream: nothing is lost by a failed close.
            }
            open = null;
        }
    }

    private Message advance() {
        try {
            if (open != null) {
                return readChunk();
            }
            Path path = pending.poll();
            if (path == null) {
                finished = true;
                return new Message.TransferEnd(entries, bytes);
            }
            return header(path);
        } catch (IOException e) {
            close();
            throw OperationFailedException.fromIo("reading", root, e);
        }
    }

    private Message readChunk() throws IOException {
        byte[] buffer = open.readNBytes(chunkSize);
        if (buffer.length > 0) {
            digest.update(buffer);
            bytes += buffer.length;
            return new Message.FileChunk(buffer);
        }
        close();
        return new Message.EntryEnd(digest.digest());
    }

    private Message header(Path path) throws IOException {
        boolean isRoot = path.equals(root);
        LinkOption[] follow = isRoot ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, follow);
        int mode = mode(path, follow);
        long mtime = attrs.lastModifiedTime().toMillis();
        String relative = isRoot ? "" : root.relativize(path).toString().replace('\\', '/');
        entries++;
        if (attrs.isSymbolicLink()) {
            String target = Files.readSymbolicLink(path).toString();
            return new Message.EntryHeader(relative, Message.EntryType.SYMLINK, mode, mtime, 0, target);
        }
        if (attrs.isDirectory()) {
            try (Stream<Path> children = Files.list(path)) {
                // Depth-first, in name order, so the receiver sees a parent before its children.
                List<Path> sorted = new ArrayList<>(children.sorted().toList());
                Collections.reverse(sorted);
                sorted.forEach(pending::push);
            }
            return new Message.EntryHeader(relative, Message.EntryType.DIRECTORY, mode, mtime, 0, null);
        }
        if (!attrs.isRegularFile()) {
            throw new OperationFailedException(
                    ErrorCode.INVALID_REQUEST,
                    path + " is neither a regular file, a directory nor a symbolic link",
                    null);
        }
        open = Files.newInputStream(path);
        digest = Sha256.newDigest();
        return new Message.EntryHeader(relative, Message.EntryType.FILE, mode, mtime, attrs.size(), null);
    }

    private static int mode(Path path, LinkOption[] follow) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, follow);
        if (view == null) {
            return Files.isDirectory(path) ? 0755 : 0644;
        }
        PosixFileAttributes posix = view.readAttributes();
        return PosixModes.toMode(posix.permissions());
    }
}
