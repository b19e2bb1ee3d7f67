package io.mycelium.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.InitialTimeoutException;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/exec/{id}/interactive}: an execution whose stdin and output travel over a WebSocket.
 *
 * <pre>
 * client                                          node
 *   | -- upgrade (authenticated: 401 before it) --> |
 *   | -- text: ExecRequest JSON (+ "terminal") ---> |  rate limit, policy (allowInteractive), approval, audit
 *   | &lt;-- {"type":"started","host":..,"pid":..} --- |
 *   | -- text or binary messages: stdin bytes ----> |  {"type":"stdout"|"stderr","data"|"base64":..}
 *   | -- close ------------------------------------> |  stdin ends; output goes on to the exit
 *   | &lt;-- {"type":"exit",..} or {"type":"error",..} |
 *   | &lt;-- close (1000) ---------------------------- |
 * </pre>
 *
 * <p>Refusals (400, 403, 404, 408, 429, ...) come after the upgrade, as one message {@code {"type":"error",
 * "status":403,"code":"denied","message":..,"details":{..}}} followed by a normal close: the request is the first
 * message (a command line and its environment do not belong in a URL, where proxies log them), so nothing is known
 * to refuse before it; and a browser's WebSocket cannot read the body of a refused upgrade anyway.
 *
 * <p>Everything flows under back-pressure: stdin messages are read only as fast as the process's stdin takes them,
 * the output only as fast as the client reads it; nothing is buffered beyond the streams' fixed windows.
 */
public final class InteractiveRoutes extends AllDirectives {
    private static final Logger LOG = LoggerFactory.getLogger(InteractiveRoutes.class);

    /** The request message's limit: the command may be 256 KiB, its environment as much again. */
    private static final int MAX_REQUEST_CHARS = 1024 * 1024;

    /** How long after the upgrade the request message may take to arrive. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final ExecService service;
    private final ActorSystem<?> system;

    public InteractiveRoutes(ExecService service, ActorSystem<?> system) {
        this.service = service;
        this.system = system;
    }

    public Route routes(Principal principal) {
        return pathPrefix(
                "exec",
                () -> path(
                        PathMatchers.segment().slash("interactive"),
                        id -> get(() ->
                                extractClientIP(ip -> handleWebSocketMessages(session(id, principal, address(ip)))))));
    }

    /** One session: the first message is the request, the rest are stdin; out go the execution's events. */
    Flow<Message, Message, NotUsed> session(String id, Principal principal, String clientIp) {
        return Flow.<Message>create()
                .initialTimeout(REQUEST_TIMEOUT)
                .prefixAndTail(1)
                .flatMapConcat(first -> first.first().isEmpty()
                        ? Source.<Message>empty()
                        : run(id, first.first().get(0), first.second(), principal, clientIp))
                .recover(new PFBuilder<Throwable, Message>()
                        .match(Throwable.class, InteractiveRoutes::error)
                        .build());
    }

    private Source<Message, NotUsed> run(
            String id, Message first, Source<Message, NotUsed> stdin, Principal principal, String clientIp) {
        CompletionStage<ExecService.Started> started = requestText(first)
                .thenApply(text -> opening(id, text))
                .thenCompose(o -> service.start(o.first(), principal, clientIp, o.second()));
        // The tail of a prefixAndTail must be materialized at once; it waits here until the process has a stdin.
        stdin.flatMapConcat(InteractiveRoutes::bytes)
                .filter(b -> !b.isEmpty())
                .runWith(
                        Sink.completionStageSink(
                                started.thenApply(s -> s.stdin().getSink())),
                        system);
        return Source.completionStageSource(started.thenApply(s -> s.output().map(chunk ->
                        (Message) TextMessage.create(ExecRoutes.event(chunk).toString()))))
                .mapMaterializedValue(m -> NotUsed.getInstance());
    }

    private CompletionStage<String> requestText(Message first) {
        if (!first.isText()) {
            return CompletableFuture.failedFuture(ApiException.badRequest(
                    null, "the first message must be the request: a JSON text message, then stdin"));
        }
        return first.asTextMessage()
                .getStreamedText()
                .limitWeighted(MAX_REQUEST_CHARS, text -> (long) text.length())
                .runFold(new StringBuilder(), StringBuilder::append, system)
                .<String>thenApply(StringBuilder::toString)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        e instanceof StreamLimitReachedException || e.getCause() instanceof StreamLimitReachedException
                                ? ApiException.badRequest(
                                        null, "the request message is over " + MAX_REQUEST_CHARS + " characters")
                                : e));
    }

    /**
     * The request as {@link ExecRequestParser} reads it, with the path's id and {@code interactive} set, and the
     * terminal size taken out.
     */
    static Pair<ExecRequest, Terminal> opening(String id, String text) {
        JsonNode body = Json.parse(text);
        if (!body.isObject()) {
            throw ApiException.badRequest(null, "the request must be a JSON object");
        }
        Schemas.checked(Schemas.Type.INTERACTIVE_REQUEST, body);
        ObjectNode request = ((ObjectNode) body).deepCopy();
        JsonNode bodyId = request.get("id");
        if (bodyId != null && !(bodyId.isTextual() && bodyId.textValue().equals(id))) {
            throw ApiException.badRequest("id", "id must be the path's (" + id + ") or absent");
        }
        JsonNode interactive = request.get("interactive");
        if (interactive != null && !(interactive.isBoolean() && interactive.booleanValue())) {
            throw ApiException.badRequest("interactive", "interactive must be true or absent on this endpoint");
        }
        if (request.has("stdin") || request.has("stdinBase64")) {
            throw ApiException.badRequest(
                    request.has("stdin") ? "stdin" : "stdinBase64",
                    "stdin comes as messages after the request, not in it");
        }
        Terminal terminal = terminal(request.remove("terminal"));
        request.put("id", id).put("interactive", true);
        return Pair.create(ExecRequestParser.parse(request), terminal);
    }

    private static Terminal terminal(JsonNode node) {
        if (node == null || node.isNull()) {
            return Terminal.DEFAULT;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("terminal", "terminal must be an object like {\"cols\": 120, \"rows\": 40}");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("cols") && !name.equals("rows")) {
                throw ApiException.badRequest("terminal", "unknown field terminal." + name + "; known: cols, rows");
            }
        }
        return new Terminal(size(node, "cols", Terminal.DEFAULT.cols()), size(node, "rows", Terminal.DEFAULT.rows()));
    }

    private static int size(JsonNode terminal, String field, int absent) {
        JsonNode n = terminal.get(field);
        if (n == null) {
            return absent;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw ApiException.badRequest("terminal", "terminal." + field + " must be a whole number");
        }
        return n.intValue();
    }

    private static Source<ByteString, NotUsed> bytes(Message message) {
        if (message.isText()) {
            return message.asTextMessage()
                    .getStreamedText()
                    .map(text -> ByteString.fromString(text, StandardCharsets.UTF_8))
                    .mapMaterializedValue(m -> NotUsed.getInstance());
        }
        return message.asBinaryMessage().getStreamedData().mapMaterializedValue(m -> NotUsed.getInstance());
    }

    /** The last message of a session that could not run to an exit: {@code {"type":"error","status":..,..}}. */
    static Message error(Throwable failure) {
        ApiException api = failure instanceof InitialTimeoutException
                ? new ApiException(
                        408,
                        "request_timeout",
                        "no request message within " + REQUEST_TIMEOUT.toSeconds() + " s of the upgrade")
                : ApiException.of(failure);
        if (api.status() == 500) {
            LOG.error("interactive session failed unexpectedly", failure);
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("type", "error")
                .put("status", api.status())
                .put("code", api.code())
                .put("message", api.getMessage());
        o.set("details", Json.MAPPER.valueToTree(api.details()));
        if (api.retryAfter() != null) {
            o.put("retryAfter", Math.max(1, api.retryAfter().toSeconds()));
        }
        return TextMessage.create(o.toString());
    }

    private static String address(RemoteAddress ip) {
        return ip.getAddress().map(java.net.InetAddress::getHostAddress).orElse("unknown");
    }
}
