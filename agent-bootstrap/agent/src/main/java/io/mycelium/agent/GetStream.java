package io.mycelium.agent;

import io.mycelium.transfer.TransferCredit;
import io.mycelium.transfer.TreeReader;
import io.mycelium.wire.CreditWindow;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.WireProtocolException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Sends a file or a directory tree to the controller, reading the disk only as fast as credit allows; every message
 * costs credit ({@link TransferCredit}), so many small entries are as bounded as one large file.
 */
final class GetStream implements AgentStream {
    private final int id;
    private final AgentConnection connection;
    private final String path;
    private final CreditWindow credit;
    private volatile boolean cancelled;

    GetStream(int id, AgentConnection connection, Message.GetStart request) {
        this.id = id;
        this.connection = connection;
        this.path = request.path();
        this.credit = new CreditWindow(connection.peerWindow());
    }

    void start() {
        connection.runStream(id, this::run);
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Message.CreditGrant grant) {
            credit.grant(grant.bytes());
        } else if (message instanceof Message.Cancel) {
            cancelled = true;
            credit.close();
        } else {
            throw new WireProtocolException(
                    -1, "unexpected " + message.getClass().getSimpleName() + " on get stream " + id);
        }
    }

    @Override
    public void abort() {
        cancelled = true;
        credit.close();
    }

    private void run() {
        Path root;
        try {
            root = Path.of(path);
        } catch (InvalidPathException | NullPointerException e) {
            connection.finish(
                    id,
                    OperationFailedException.toFailure(
                            new OperationFailedException(ErrorCode.INVALID_REQUEST, "invalid path " + path, e)));
            return;
        }
        try (TreeReader reader = new TreeReader(root, AgentConnection.CHUNK)) {
            while (reader.hasNext()) {
                Message message = reader.next();
                if (message instanceof Message.FileChunk chunk) {
                    if (!sendUnderCredit(chunk.data())) {
                        break;
                    }
                } else if (!acquire(TransferCredit.METADATA_COST)) {
                    break;
                } else if (message instanceof Message.TransferEnd) {
                    connection.finish(id, message);
                    return;
                } else {
                    connection.send(id, message);
                }
            }
            connection.finish(
                    id,
                    OperationFailedException.toFailure(
                            new OperationFailedException(ErrorCode.CANCELLED, "get of " + path + " cancelled", null)));
        } catch (OperationFailedException e) {
            connection.finish(id, OperationFailedException.toFailure(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code bytes} of credit are taken; false when cancelled first. */
    private boolean acquire(int bytes) throws InterruptedException {
        for (int taken = 0; taken < bytes; ) {
            int n = credit.acquire(bytes - taken);
            if (n < 0 || cancelled) {
                return false;
            }
            taken += n;
        }
        return true;
    }

    private boolean sendUnderCredit(byte[] data) throws InterruptedException {
        int offset = 0;
        while (offset < data.length) {
            int allowed = credit.acquire(data.length - offset);
            if (allowed < 0 || cancelled) {
                return false;
            }
            byte[] part =
                    offset == 0 && allowed == data.length ? data : Arrays.copyOfRange(data, offset, offset + allowed);
            connection.send(id, new Message.FileChunk(part));
            offset += allowed;
        }
        return true;
    }
}
