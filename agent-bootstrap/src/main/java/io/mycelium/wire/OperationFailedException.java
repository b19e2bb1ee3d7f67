package io.mycelium.wire;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;

/**
 * An operation on one stream failed with a stable {@link ErrorCode}. The agent turns it into a {@link
 * Message.Failure}; the controller turns a Failure into its typed exception.
 */
public final class OperationFailedException extends RuntimeException {
    private final ErrorCode code;

    /** Fails with {@code code}, a message for a human and an optional cause. */
    public OperationFailedException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable error code. */
    public ErrorCode code() {
        return code;
    }

    /**
     * Classifies an I/O failure on {@code path}: missing files and refused access keep their meaning, everything
     * else is {@link ErrorCode#IO_ERROR}.
     */
    public static OperationFailedException fromIo(String action, Object path, Exception e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return new OperationFailedException(ErrorCode.FILE_NOT_FOUND, action + " " + path + ": no such file", e);
        }
        if (e instanceof AccessDeniedException) {
            return new OperationFailedException(
                    ErrorCode.PERMISSION_DENIED, action + " " + path + ": permission denied", e);
        }
        return new OperationFailedException(ErrorCode.IO_ERROR, action + " " + path + ": " + e, e);
    }

    /** The failure message that reports {@code error} to the peer, with its cause chain. */
    public static Message.Failure toFailure(Throwable error) {
        ErrorCode code = error instanceof OperationFailedException o ? o.code() : ErrorCode.INTERNAL;
        List<Message.RemoteCause> causes = new ArrayList<>();
        for (Throwable t = error.getCause(); t != null && causes.size() < 16; t = t.getCause()) {
            causes.add(new Message.RemoteCause(t.getClass().getName(), t.getMessage()));
        }
        String message = error.getMessage() != null ? error.getMessage() : error.toString();
        return new Message.Failure(code, message, causes.toArray(new Message.RemoteCause[0]));
    }
}
