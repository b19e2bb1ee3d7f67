package io.mycelium;

import io.mycelium.transport.AgentLink;
import io.mycelium.transport.ProcessLink;
import io.mycelium.transport.Transport;
import io.mycelium.wire.Frame;
import io.mycelium.wire.FrameDecoder;
import io.mycelium.wire.FrameEncoder;
import io.mycelium.wire.Message;
import io.mycelium.wire.MessageCodec;
import io.mycelium.wire.MessageRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A misbehaving agent for protocol tests: a real process (sh) that prints prepared bytes in steps, the way a broken or
 * hostile peer would, and otherwise never answers.
 */
final class ScriptedAgent implements Transport {
    private final List<Path> steps = new ArrayList<>();
    private final MessageCodec codec = new MessageCodec(Frame.DEFAULT_MAX_LENGTH);
    private final Path dir;
    private ByteArrayOutputStream current = new ByteArrayOutputStream();
    private boolean exitAtEnd;

    ScriptedAgent(Path dir) {
        this.dir = dir;
    }

    ScriptedAgent raw(byte[] bytes) {
        current.writeBytes(bytes);
        return this;
    }

    ScriptedAgent preamble() {
        return raw(FrameDecoder.PREAMBLE);
    }

    ScriptedAgent frame(int stream, Message message) {
        return raw(FrameEncoder.encode(stream, codec.encode(message), Frame.DEFAULT_MAX_LENGTH));
    }

    ScriptedAgent hello(int protocolVersion) {
        return frame(
                0,
                new Message.Hello(
                        protocolVersion,
                        protocolVersion == MessageRegistry.PROTOCOL_VERSION ? MessageRegistry.hash() : "feedface",
                        "scripted-agent/9",
                        1,
                        "17",
                        "Linux",
                        "amd64",
                        256 * 1024,
                        Frame.DEFAULT_MAX_LENGTH));
    }

    /** The process exits after printing everything, instead of staying silent. */
    ScriptedAgent thenExit() {
        exitAtEnd = true;
        return this;
    }

    /** What was written so far is printed at once; what follows, after a pause. */
    ScriptedAgent pause() throws IOException {
        Path step = Files.createTempFile(dir, "step", ".bin");
        Files.write(step, current.toByteArray());
        steps.add(step);
        current = new ByteArrayOutputStream();
        return this;
    }

    @Override
    public String describe() {
        return "scripted";
    }

    @Override
    public AgentLink open() throws IOException {
        pause();
        StringBuilder script = new StringBuilder();
        for (Path step : steps) {
            script.append("cat '").append(step).append("'; sleep 0.5; ");
        }
        script.append(exitAtEnd ? "exit 0" : "exec sleep 30");
        Process process = new ProcessBuilder("sh", "-c", script.toString()).start();
        return new ProcessLink(process, "scripted");
    }
}
