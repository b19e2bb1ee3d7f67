package io.mycelium.agent;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameEncoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.OperationFailedException;
import io.mycelium.wire.WireProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The agent's only writer of stdout. Any thread may {@link #send}; one thread encodes and writes, flushing when the
 * queue runs dry, so a burst of small messages costs one write. The queue needs no bound of its own: data messages are
 * bounded by the controller's credit and replies by the controller's requests.
 */
final class Outbound {
    private record Item(int streamId, Message message) {}

    private static final Item STOP = new Item(-1, null);

    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final OutputStream out;
    private final MessageCodec codec;
    private final Thread thread;
    private volatile boolean failed;

    Outbound(OutputStream out, int maxFrameLength) {
        this.out = out;
        this.codec = new MessageCodec(maxFrameLength);
        this.thread = new Thread(this::run, "mycelium-outbound");
        thread.setDaemon(true);
    }

    void start(byte[] preamble) throws IOException {
        out.write(preamble);
        thread.start();
    }

    void send(int streamId, Message message) {
        if (!failed) {
            queue.add(new Item(streamId, message));
        }
    }

    /** Writes what is queued, then stops; waits at most {@code millis}. */
    void drainAndStop(long millis) {
        queue.add(STOP);
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Encodes a message; one that cannot be encoded fails its own stream instead of silencing the agent. */
    private byte[] encode(Item item) {
        try {
            return codec.encode(item.message());
        } catch (WireProtocolException e) {
            return codec.encode(OperationFailedException.toFailure(new OperationFailedException(
                    ErrorCode.INTERNAL,
                    "agent could not send " + item.message().getClass().getSimpleName() + ": " + e.getMessage(),
                    null)));
        }
    }

    private void run() {
        List<Item> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                for (Item item : batch) {
                    if (item == STOP) {
                        out.flush();
                        return;
                    }
                    byte[] payload = encode(item);
                    byte[] header = new byte[Frame.HEADER_LENGTH];
                    FrameEncoder.writeHeader(header, item.streamId(), payload.length);
                    out.write(header);
                    out.write(payload);
                }
                batch.clear();
                out.flush();
            }
        } catch (IOException e) {
            // The controller is gone or the pipe broke: nothing more can be said; the reader notices EOF and exits.
            failed = true;
            queue.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
