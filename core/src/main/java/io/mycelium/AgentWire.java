package io.mycelium;

import io.mycelium.transport.AgentLink;
import io.mycelium.wire.FrameDecoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.WireProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;

/**
 * The two Pekko streams of one agent connection. Inbound: the agent's stdout, read on the blocking-I/O dispatcher,
 * cut into frames, decoded, and handed to the context actor one at a time with acknowledgement, so a busy actor slows
 * the reading. Outbound: the {@link Outbox}'s encoded frames, written to the agent's stdin, small frames batched into
 * one write when the pipe is busy.
 */
final class AgentWire {
    private static final int READ_CHUNK = 64 * 1024;
    private static final int OUTBOX_CAPACITY = 16 * 1024;

    private AgentWire() {}

    /**
     * A decoded inbound message with its stream, or the protocol violation that ends the connection. Violations
     * travel as elements, not stream failures, so the context actor reports them once, as a typed error.
     */
    record Inbound(int streamId, Message message, WireProtocolException violation) {}

    static Outbox connect(
            AgentLink link,
            ContextSettings settings,
            ActorRef<ContextActor.Command> actor,
            int generation,
            ActorSystem<?> system) {
        StreamConverters.fromInputStream(link::fromAgent, READ_CHUNK)
                .via(decoder(settings.maxFrameLength()))
                .runWith(
                        ActorSink.actorRefWithBackpressure(
                                actor,
                                (ActorRef<StreamCommand.Ack> ackTo, Inbound in) ->
                                        new ContextActor.InboundMessage(generation, ackTo, in),
                                ackTo -> new ContextActor.InboundInit(generation, ackTo),
                                StreamCommand.Ack.INSTANCE,
                                new ContextActor.InboundEnded(generation, null),
                                error -> new ContextActor.InboundEnded(generation, error)),
                        system);
        Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queue =
                Source.<ByteString>queue(OUTBOX_CAPACITY).preMaterialize(system);
        queue.second()
                .batchWeighted(1 << 20, b -> (long) b.size(), b -> b, ByteString::concat)
                .runWith(StreamConverters.fromOutputStream(link::toAgent, true), system);
        return new Outbox(queue.first(), settings.maxFrameLength());
    }

    private static Flow<ByteString, Inbound, NotUsed> decoder(int maxFrameLength) {
        return Flow.of(ByteString.class)
                .statefulMap(
                        () -> new Decoding(new FrameDecoder(maxFrameLength, true), new MessageCodec(maxFrameLength)),
                        (state, bytes) -> Pair.create(state, state.decode(bytes)),
                        state -> Optional.of(state.finish()))
                .mapConcat(list -> list)
                .takeWhile(in -> in.violation() == null, true);
    }

    private record Decoding(FrameDecoder frames, MessageCodec codec) {
        List<Inbound> decode(ByteString bytes) {
            List<Inbound> out = new ArrayList<>();
            byte[] array = bytes.toArrayUnsafe();
            try {
                frames.feed(
                        array,
                        0,
                        array.length,
                        frame -> out.add(new Inbound(frame.streamId(), codec.decode(frame), null)));
            } catch (WireProtocolException e) {
                out.add(new Inbound(-1, null, e));
            }
            return out;
        }

        List<Inbound> finish() {
            try {
                frames.finish();
                return List.of();
            } catch (WireProtocolException e) {
                return List.of(new Inbound(-1, null, e));
            }
        }
    }
}
