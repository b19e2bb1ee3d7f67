package io.mycelium.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec(Frame.DEFAULT_MAX_LENGTH);

    private Message roundTrip(Message m) {
        return codec.decode(new Frame(1, codec.encode(m)));
    }

    @Test
    void recordsWithArraysEnumsAndNullsRoundTrip() {
        var start = new Message.ExecStart(
                new String[] {"sh", "-c", "ünïcode"}, new String[] {"A=1"}, null, true, null, true, 5000);
        var decoded = (Message.ExecStart) roundTrip(start);
        assertThat(decoded.argv()).containsExactly("sh", "-c", "ünïcode");
        assertThat(decoded.env()).containsExactly("A=1");
        assertThat(decoded.unsetEnv()).isNull();
        assertThat(decoded.workDir()).isNull();
        assertThat(decoded.timeoutMillis()).isEqualTo(5000);

        var failure = new Message.Failure(
                ErrorCode.FILE_NOT_FOUND, "no /x", new Message.RemoteCause[] {new Message.RemoteCause("T", null)});
        var f = (Message.Failure) roundTrip(failure);
        assertThat(f.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND);
        assertThat(f.causes()).containsExactly(new Message.RemoteCause("T", null));
        assertThat(roundTrip(new Message.Cancel())).isEqualTo(new Message.Cancel());
        assertThat(((Message.Output) roundTrip(new Message.Output(Message.Channel.STDERR, new byte[] {0, -1}))).data())
                .containsExactly(0, -1);
    }

    @Test
    void hostileArrayLengthIsRefusedWithoutAllocating() {
        byte[] payload = codec.encode(new Message.FileChunk(new byte[] {1, 2, 3}));
        // registration id varint (43+2) then the byte count varint: replace it with a huge count.
        byte[] hostile = {payload[0], (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        assertThatThrownBy(() -> codec.decode(new Frame(3, hostile)))
                .isInstanceOf(WireProtocolException.class)
                .hasMessageContaining("undecodable payload")
                .hasMessageContaining("exceeds");
    }

    @Test
    void registryHashIsStable() {
        assertThat(MessageRegistry.hash()).hasSize(64).isEqualTo(MessageRegistry.hash());
    }
}
