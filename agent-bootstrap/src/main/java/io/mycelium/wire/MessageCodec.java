package io.mycelium.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Encodes {@link Message}s to frame payloads and back with Kryo. Not thread-safe (Kryo is not): one codec per thread
 * or per connection direction.
 */
public final class MessageCodec {
    private final Kryo kryo = MessageRegistry.newKryo();
    private final Output output;
    private final Input input = new Input();

    /** @param maxFrameLength the largest payload this codec will produce */
    public MessageCodec(int maxFrameLength) {
        this.output = new Output(Math.min(4096, maxFrameLength), maxFrameLength);
    }

    /**
     * Encodes a message.
     *
     * @throws WireProtocolException when the encoded message would exceed the maximum frame length
     */
    public byte[] encode(Message message) {
        output.reset();
        try {
            kryo.writeClassAndObject(output, message);
        } catch (RuntimeException e) {
            throw new WireProtocolException(
                    -1, "cannot encode " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        return output.toBytes();
    }

    /**
     * Decodes one frame payload into a message.
     *
     * @throws WireProtocolException when the payload is not exactly one registered message
     */
    public Message decode(Frame frame) {
        byte[] payload = frame.payload();
        input.setBuffer(payload);
        Object decoded;
        try {
            decoded = kryo.readClassAndObject(input);
        } catch (RuntimeException | StackOverflowError e) {
            throw new WireProtocolException(-1, undecodable(frame, e.getMessage()), e);
        }
        if (!(decoded instanceof Message message)) {
            String what = decoded == null ? "null" : decoded.getClass().getSimpleName();
            throw new WireProtocolException(-1, undecodable(frame, what + " is not a message"));
        }
        if (input.position() != payload.length) {
            throw new WireProtocolException(
                    -1, undecodable(frame, (payload.length - input.position()) + " trailing bytes"));
        }
        return message;
    }

    private static String undecodable(Frame frame, String why) {
        return "undecodable payload of " + frame.payload().length + " bytes on stream "
                + Integer.toUnsignedString(frame.streamId()) + ": " + why;
    }
}
