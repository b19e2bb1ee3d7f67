package io.mycelium.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.identity.PrincipalPatterns;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * {@code /api/v1/exec}: unary and streamed exec, status, cancel, and approvals.
 *
 * <p>The stream ({@code POST /api/v1/exec/stream}) is NDJSON, one object per line: {@code {"type":"started",...}},
 * then {@code {"type":"stdout"|"stderr","data":TEXT}} (or {@code "base64":BYTES} when a chunk is not valid UTF-8),
 * then {@code {"type":"exit",...}} or {@code {"type":"error",...}}. It is read from the process under
 * back-pressure: a client that reads slowly slows the process's output, it is never buffered whole.
 */
public final class ExecRoutes extends AllDirectives {
    private static final ContentType NDJSON = MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8)
            .toContentType();

    private final ExecService service;
    private final List<String> approvers;

    public ExecRoutes(ExecService service, List<String> approvers) {
        this.service = service;
        this.approvers = List.copyOf(approvers);
    }

    public Route routes(Principal principal) {
        return pathPrefix(
                "exec",
                () -> concat(
                        pathEnd(() -> post(() -> withBody(
                                principal,
                                (body, ip) -> service.execute(
                                                notInteractive(ExecRequestParser.parse(
                                                        Schemas.checked(Schemas.Type.EXEC_REQUEST, body))),
                                                principal,
                                                ip)
                                        .thenApply(r -> Json.response(200, r))))),
                        path(
                                "stream",
                                () -> post(() -> withBody(
                                        principal,
                                        (body, ip) -> service.start(
                                                        notInteractive(ExecRequestParser.parse(
                                                                Schemas.checked(Schemas.Type.EXEC_REQUEST, body))),
                                                        principal,
                                                        ip)
                                                .thenApply(started -> HttpResponse.create()
                                                        .withStatus(200)
                                                        .withEntity(HttpEntities.createChunked(
                                                                NDJSON,
                                                                started.output().map(ExecRoutes::line))))))),
                        path(
                                PathMatchers.segment(),
                                id -> concat(
                                        get(() -> reply(service.status(id).thenApply(s -> Json.response(200, s)))),
                                        delete(() -> reply(
                                                service.cancel(id, principal).thenApply(s -> Json.response(200, s)))))),
                        path(PathMatchers.segment().slash("approve"), id -> post(() -> decide(id, true, principal))),
                        path(PathMatchers.segment().slash("deny"), id -> post(() -> decide(id, false, principal)))));
    }

    /** Streamed stdin needs the WebSocket: over POST nobody would ever write it. */
    private static ExecRequest notInteractive(ExecRequest request) {
        if (request.interactive()) {
            throw ApiException.badRequest(
                    "interactive", "interactive executions run over the WebSocket GET /api/v1/exec/{id}/interactive");
        }
        return request;
    }

    private Route decide(String id, boolean approve, Principal principal) {
        if (!PrincipalPatterns.anyMatches(approvers, principal.name())) {
            return complete(Json.error(new ApiException(
                    403, "not_an_approver", principal.name() + " is not an approver (mycelium.node.exec.approvers)")));
        }
        return entity(Unmarshaller.entityToString(), text -> {
            String reason = null;
            if (!text.isBlank()) {
                JsonNode body = Schemas.checked(Schemas.Type.DECISION, Json.parse(text));
                JsonNode r = body.get("reason");
                if (r != null && !r.isTextual()) {
                    return complete(Json.error(ApiException.badRequest("reason", "reason must be a string")));
                }
                reason = r == null ? null : r.textValue();
            }
            return reply(service.decide(id, approve, reason, principal).thenApply(s -> Json.response(200, s)));
        });
    }

    private Route withBody(Principal principal, BodyHandler handler) {
        return extractClientIP(ip -> entity(Unmarshaller.entityToString(), text -> {
            CompletionStage<HttpResponse> response;
            try {
                response = handler.handle(Json.parse(text), address(ip));
            } catch (ApiException e) {
                return complete(Json.error(e));
            }
            return reply(response);
        }));
    }

    private Route reply(CompletionStage<HttpResponse> response) {
        return completeWithFuture(response.exceptionally(Failures::toResponse));
    }

    private static String address(RemoteAddress ip) {
        return ip.getAddress().map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }

    private interface BodyHandler {
        CompletionStage<HttpResponse> handle(JsonNode body, String clientIp);
    }

    /** One NDJSON line for a chunk. */
    static ByteString line(OutputChunk chunk) {
        return ByteString.fromString(event(chunk).toString() + "\n", StandardCharsets.UTF_8);
    }

    /** A chunk as the JSON object of a stream line or of an interactive session's message. */
    static ObjectNode event(OutputChunk chunk) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        switch (chunk) {
            case OutputChunk.Started s ->
                o.put("type", "started").put("host", s.host()).put("pid", s.pid());
            case OutputChunk.Stdout out -> data(o.put("type", "stdout"), out.bytes());
            case OutputChunk.Stderr err -> data(o.put("type", "stderr"), err.bytes());
            case OutputChunk.Exited x ->
                o.put("type", "exit")
                        .put("exitCode", x.exitCode())
                        .put("signal", x.signal())
                        .put("timedOut", x.timedOut())
                        .put("durationMs", x.duration().toMillis());
            case OutputChunk.Failed f ->
                o.put("type", "error").put("code", f.code()).put("message", f.message());
        }
        return o;
    }

    private static void data(ObjectNode o, byte[] bytes) {
        String text = textOrNull(bytes);
        if (text != null) {
            o.put("data", text);
        } else {
            o.put("base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static String textOrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
