package io.mycelium.transfer;

import io.mycelium.wire.Message;

/**
 * What each transfer message costs in {@link Message.Channel#DATA} credit: a chunk its bytes, every other message a
 * fixed amount. Charging metadata too means a tree of millions of empty files is as bounded in flight as one big file.
 * Sender and receiver must agree, so both ask here.
 */
public final class TransferCredit {
    /** Credit charged for a message that carries no file bytes. */
    public static final int METADATA_COST = 256;

    private TransferCredit() {}

    /** The credit {@code message} costs. */
    public static int cost(Message message) {
        return message instanceof Message.FileChunk chunk ? chunk.data().length : METADATA_COST;
    }
}
