package io.mycelium.agent;

import io.mycelium.transfer.TransferCredit;
import io.mycelium.transfer.TreeWriter;
import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Message;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.ReceiveWindow;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Receives a file or a directory tree from the controller and writes it with a {@link TreeWriter}. Every transfer
 * message arrives under the agent's credit ({@link TransferCredit}), granted back only once it was applied to disk.
 */
final class PutStream implements AgentStream {
    private static final Message ABORT = new Message.Cancel();

    private final int id;
    private final AgentConnection connection;
    private final String path;
    private final ReceiveWindow window;
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();

    PutStream(int id, AgentConnection connection, Message.PutStart request) {
        this.id = id;
        this.connection = connection;
        this.path = request.path();
        this.window = new ReceiveWindow(connection.ownWindow());
    }

    void start() {
        connection.runStream(id, this::run);
    }

    @Override
    public void onMessage(Message message) {
        if (!(message instanceof Message.Cancel)) {
            synchronized (window) {
                window.received(TransferCredit.cost(message));
            }
        }
        queue.add(message);
    }

    @Override
    public void abort() {
        queue.add(ABORT);
    }

    private void run() {
        TreeWriter writer;
        try {
            writer = new TreeWriter(Path.of(path));
        } catch (InvalidPathException | NullPointerException e) {
            connection.finish(
                    id,
                    OperationFailedException.toFailure(
                            new OperationFailedException(ErrorCode.INVALID_REQUEST, "invalid path " + path, e)));
            return;
        }
        try (writer) {
            while (true) {
                Message message = queue.take();
                if (message == ABORT) {
                    return;
                }
                if (message instanceof Message.Cancel) {
                    connection.finish(id, cancelled());
                    return;
                }
                Message.TransferDone done = writer.accept(message);
                int grant;
                synchronized (window) {
                    grant = window.consumed(TransferCredit.cost(message));
                }
                if (grant > 0 && done == null) {
                    connection.send(id, new Message.CreditGrant(Message.Channel.DATA, grant));
                }
                if (done != null) {
                    connection.finish(id, done);
                    return;
                }
            }
        } catch (OperationFailedException e) {
            connection.finish(id, OperationFailedException.toFailure(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Message.Failure cancelled() {
        return OperationFailedException.toFailure(
                new OperationFailedException(ErrorCode.CANCELLED, "put to " + path + " cancelled", null));
    }
}
