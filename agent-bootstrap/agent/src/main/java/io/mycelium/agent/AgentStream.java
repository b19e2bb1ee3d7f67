package io.mycelium.agent;

import io.mycelium.wire.Message;

/** One operation on the agent, bound to one stream id; the connection routes that stream's messages to it. */
interface AgentStream {
    /** A message for this stream, on the reader thread: may not block for long. */
    void onMessage(Message message);

    /** The connection is closing: stop at once and release everything. */
    void abort();
}
