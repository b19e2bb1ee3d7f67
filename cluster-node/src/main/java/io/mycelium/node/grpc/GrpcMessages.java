package io.mycelium.node.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.mycelium.exec.ExecRequestParser;
import io.mycelium.exec.ExecStatus;
import io.mycelium.exec.OutputChunk;
import io.mycelium.exec.Terminal;
import io.mycelium.node.grpc.v1.ExecEvent;
import io.mycelium.node.grpc.v1.ExecRequest;
import io.mycelium.node.grpc.v1.ExecResponse;
import io.mycelium.node.grpc.v1.ExecStatusReply;
import io.mycelium.node.grpc.v1.Exited;
import io.mycelium.node.grpc.v1.Failure;
import io.mycelium.node.grpc.v1.Started;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Between the protobuf messages of {@code remote_execution.proto} and the exec API's own types. A request goes
 * through its JSON form and {@link ExecRequestParser}, so both APIs validate alike and name the same (JSON) fields in
 * their errors.
 */
final class GrpcMessages {
    private GrpcMessages() {}

    /** The validated request; throws the parser's 400 {@code ApiException}. */
    static io.mycelium.exec.ExecRequest request(ExecRequest r, boolean interactive) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        text(o, "id", r.getId());
        text(o, "agentId", r.getAgentId());
        ArrayNode command = o.putArray("command");
        r.getCommandList().forEach(command::add);
        text(o, "workDir", r.getWorkDir());
        if (r.getEnvironmentCount() > 0) {
            ObjectNode env = o.putObject("environment");
            r.getEnvironmentMap().forEach(env::put);
        }
        if (r.hasStdin()) {
            o.put("stdinBase64", Base64.getEncoder().encodeToString(r.getStdin().toByteArray()));
        }
        text(o, "timeout", r.getTimeout());
        text(o, "user", r.getUser());
        o.put("interactive", interactive);
        o.put("tty", r.getTty());
        text(o, "requestedBy", r.getRequestedBy());
        text(o, "requestTime", r.getRequestTime());
        return ExecRequestParser.parse(o);
    }

    /** The terminal of a tty request: 80x24 when not given. */
    static Terminal terminal(ExecRequest r) {
        return r.hasTerminal()
                ? new Terminal(r.getTerminal().getCols(), r.getTerminal().getRows())
                : Terminal.DEFAULT;
    }

    private static void text(ObjectNode o, String field, String value) {
        if (!value.isEmpty()) {
            o.put(field, value);
        }
    }

    static ExecResponse response(io.mycelium.exec.ExecResponse r) {
        ExecResponse.Builder b = ExecResponse.newBuilder()
                .setId(r.id())
                .setAgentId(r.agentId())
                .setSignal(r.signal())
                .setStdout(bytes(r.stdout(), r.stdoutBase64()))
                .setStderr(bytes(r.stderr(), r.stderrBase64()))
                .setOutputTruncated(r.outputTruncated())
                .setStartTime(instant(r.startTime()))
                .setEndTime(instant(r.endTime()))
                .setDurationMs(millis(r.duration()))
                .setTimedOut(r.timedOut())
                .setCancelled(r.cancelled());
        if (r.exitCode() != null) {
            b.setExitCode(r.exitCode());
        }
        if (r.error() != null) {
            b.setError(Failure.newBuilder()
                    .setCode(r.error().getOrDefault("code", ""))
                    .setMessage(r.error().getOrDefault("message", "")));
        }
        return b.build();
    }

    private static ByteString bytes(String text, String base64) {
        if (text != null) {
            return ByteString.copyFrom(text, StandardCharsets.UTF_8);
        }
        return base64 == null
                ? ByteString.EMPTY
                : ByteString.copyFrom(Base64.getDecoder().decode(base64));
    }

    static ExecEvent event(OutputChunk chunk) {
        return switch (chunk) {
            case OutputChunk.Started s ->
                ExecEvent.newBuilder()
                        .setStarted(Started.newBuilder().setHost(s.host()).setPid(s.pid()))
                        .build();
            case OutputChunk.Stdout o ->
                ExecEvent.newBuilder().setStdout(ByteString.copyFrom(o.bytes())).build();
            case OutputChunk.Stderr e ->
                ExecEvent.newBuilder().setStderr(ByteString.copyFrom(e.bytes())).build();
            case OutputChunk.Exited x ->
                ExecEvent.newBuilder()
                        .setExit(Exited.newBuilder()
                                .setExitCode(x.exitCode())
                                .setSignal(x.signal())
                                .setTimedOut(x.timedOut())
                                .setDurationMs(millis(x.duration())))
                        .build();
            case OutputChunk.Failed f ->
                ExecEvent.newBuilder()
                        .setError(Failure.newBuilder().setCode(f.code()).setMessage(f.message()))
                        .build();
        };
    }

    static ExecStatusReply status(ExecStatus s) {
        ExecStatusReply.Builder b = ExecStatusReply.newBuilder()
                .setId(s.id())
                .setAgentId(nullToEmpty(s.agentId()))
                .setState(s.state().name())
                .addAllCommand(s.command() == null ? List.of() : s.command())
                .setRequestedBy(nullToEmpty(s.requestedBy()))
                .setPolicy(nullToEmpty(s.policy()))
                .setReason(nullToEmpty(s.reason()))
                .setPid(s.pid())
                .setSignal(s.signal())
                .setTimedOut(s.timedOut())
                .setCancelled(s.cancelled())
                .setCancelledBy(nullToEmpty(s.cancelledBy()))
                .setApprovedBy(nullToEmpty(s.approvedBy()))
                .setRequestTime(instant(s.requestTime()))
                .setStartTime(instant(s.startTime()))
                .setEndTime(instant(s.endTime()))
                .setDurationMs(millis(s.duration()))
                .addAllDroppedEnvironment(s.droppedEnvironment() == null ? List.of() : s.droppedEnvironment());
        if (s.exitCode() != null) {
            b.setExitCode(s.exitCode());
        }
        return b.build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String instant(Instant i) {
        return i == null ? "" : i.toString();
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }
}
