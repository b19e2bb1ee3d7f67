package io.mycelium.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Schemas;
import io.mycelium.api.ratelimit.ActionRateLimiter;
import io.mycelium.journal.KryoSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * One worker agent's WebSocket connection ({@code GET /api/v1/agents/connect}), as an actor: it reads the worker's
 * JSON messages (each checked against its schema first), registers the worker with the {@link TaskDispatcher},
 * passes assignments to the worker and the worker's accept, heartbeats, progress and outcome to the tasks' entities,
 * and writes their answers back. When the connection ends, every attempt the worker had is reported lost.
 *
 * <pre>
 * worker                                   node
 *   | -- {"type":"hello","agentId","capabilities","concurrency"} -> |  registered with the dispatcher
 *   | <- {"type":"welcome","acceptTimeout","leaseTimeout"} -------- |
 *   | <- {"type":"assignment","taskId","attempt","command",..} ---- |  a task's entity recorded "assigned"
 *   | -- {"type":"accept","taskId","attempt"} -------------------> |  "accepted"; the lease starts
 *   | <- {"type":"leased","taskId","attempt","leaseUntil"} -------- |
 *   | -- {"type":"heartbeat"|"progress",...} --------------------> |  the lease is extended
 *   | -- {"type":"complete"|"fail",...} -------------------------> |  "completed", or "failed" and retried
 *   | <- {"type":"acked"} or {"type":"error","code":..} ---------- |  e.g. duplicate_completion
 *   | <- {"type":"revoked","taskId","attempt","reason"} ---------- |  lease expired, not accepted, cancelled
 * </pre>
 */
public final class WorkerConnection {

    /** What a connection answers. */
    public sealed interface Command extends KryoSerializable {}

    /** A task's entity hands an attempt to this worker. */
    public record Assign(String taskId, int attempt, List<String> command, Duration acceptTimeout, Duration lease)
            implements Command {}

    /** A task's entity took the attempt back. */
    public record Revoke(String taskId, int attempt, String reason) implements Command {}

    /**
     * A task's entity answers the worker.
     *
     * @param kind {@code leased}, {@code acked}, {@code released} or {@code error}
     */
    public record Answer(String taskId, int attempt, String kind, Instant leaseUntil, String code, String message)
            implements Command {}

    /** The dispatcher already has a worker of this id on another connection. */
    public record AgentIdTaken(String agentId) implements Command {}

    /** A text message from the worker (null for a binary one). */
    public record Frame(String text) implements Command {}

    /** The worker's side of the connection ended. */
    public record Closed() implements Command {}

    /** What the node sends: a JSON text message, or the end of the connection. */
    public record Outbound(String text, boolean close) {}

    private record HelloTimeout() implements Command {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, Schemas.Type> TYPES = Map.of(
            "hello", Schemas.Type.AGENT_HELLO,
            "accept", Schemas.Type.AGENT_TASK_MESSAGE,
            "heartbeat", Schemas.Type.AGENT_TASK_MESSAGE,
            "progress", Schemas.Type.AGENT_TASK_MESSAGE,
            "reject", Schemas.Type.AGENT_TASK_MESSAGE,
            "complete", Schemas.Type.AGENT_COMPLETE,
            "fail", Schemas.Type.AGENT_FAIL);

    private final ActorContext<Command> context;
    private final ActorRef<Outbound> out;
    private final ActorRef<TaskDispatcher.Command> dispatcher;
    private final ClusterSharding sharding;
    private final Task.WorkerTimeouts timeouts;
    private final ActionRateLimiter limiter;
    private final TaskMeters metrics;
    private final AtomicReference<String> name;
    private final String principal;
    private int slots;
    private final Map<String, Integer> inFlight = new HashMap<>();
    private String agentId;

    private WorkerConnection(
            ActorContext<Command> context,
            ActorRef<Outbound> out,
            ActorRef<TaskDispatcher.Command> dispatcher,
            ClusterSharding sharding,
            Task.WorkerTimeouts timeouts,
            ActionRateLimiter limiter,
            TaskMeters metrics,
            String principal,
            AtomicReference<String> name) {
        this.limiter = limiter;
        this.metrics = metrics;
        this.name = name;
        this.context = context;
        this.out = out;
        this.dispatcher = dispatcher;
        this.sharding = sharding;
        this.timeouts = timeouts;
        this.principal = principal;
    }

    /** The connection of a worker authenticated as {@code principal}, writing to {@code out}. */
    public static Behavior<Command> create(
            ActorRef<Outbound> out,
            ActorRef<TaskDispatcher.Command> dispatcher,
            ClusterSharding sharding,
            Task.WorkerTimeouts timeouts,
            ActionRateLimiter limiter,
            TaskMeters metrics,
            String principal) {
        // The agent's id joins the MDC of every line once its hello names it.
        AtomicReference<String> name = new AtomicReference<>();
        return Behaviors.withMdc(
                Command.class,
                Map.of("module", "agents"),
                m -> name.get() == null ? Map.of() : Map.of("agent_id", name.get()),
                Behaviors.setup(context -> Behaviors.withTimers(timers -> {
                    timers.startSingleTimer(new HelloTimeout(), HELLO_TIMEOUT);
                    return new WorkerConnection(
                                    context, out, dispatcher, sharding, timeouts, limiter, metrics, principal, name)
                            .behavior(timers);
                })));
    }

    private Behavior<Command> behavior(TimerScheduler<Command> timers) {
        return Behaviors.receive(Command.class)
                .onMessage(Frame.class, f -> onFrame(f, timers))
                .onMessage(Assign.class, this::onAssign)
                .onMessage(Revoke.class, this::onRevoke)
                .onMessage(Answer.class, this::onAnswer)
                .onMessage(AgentIdTaken.class, t -> {
                    error(409, "conflict", "a worker named " + t.agentId() + " is already connected", Map.of());
                    return closing();
                })
                .onMessage(HelloTimeout.class, t -> {
                    if (agentId != null) {
                        return Behaviors.same();
                    }
                    error(408, "request_timeout", "no hello within " + HELLO_TIMEOUT.toSeconds() + " s", Map.of());
                    return closing();
                })
                .onMessage(Closed.class, c -> closing())
                .build();
    }

    /** Reports what the worker had as lost, leaves the dispatcher, ends the connection. */
    private Behavior<Command> closing() {
        if (agentId != null) {
            metrics.agents(-1, -slots);
            metrics.busySlots(-inFlight.size());
            Telemetry.event(
                    "agent_disconnected",
                    Map.of("agent_id", agentId, "module", "agents"),
                    Map.of("lost_attempts", inFlight.size()));
            inFlight.forEach((taskId, attempt) ->
                    sharding.entityRefFor(Task.TYPE, taskId).tell(new Task.WorkerLost(attempt, agentId)));
            dispatcher.tell(new TaskDispatcher.WorkerDown(agentId, context.getSelf()));
        }
        out.tell(new Outbound(null, true));
        return Behaviors.stopped();
    }

    private Behavior<Command> onFrame(Frame frame, TimerScheduler<Command> timers) {
        JsonNode message;
        try {
            limiter.consume(
                    ActionRateLimiter.Action.AGENT_MESSAGE,
                    agentId != null ? agentId : context.getSelf().path().name());
            message = parse(frame.text());
        } catch (RuntimeException e) {
            ApiException api = ApiException.of(e);
            ObjectNode o = errorMessage(api.status(), api.code(), api.getMessage(), api.details());
            if (api.retryAfter() != null) {
                o.put("retryAfter", api.retryAfter().toSeconds());
            }
            send(o);
            return Behaviors.same();
        }
        String type = message.path("type").asText();
        if (type.equals("hello")) {
            if (agentId != null) {
                error(409, "conflict", "hello was already sent, as " + agentId, Map.of("field", "type"));
                return Behaviors.same();
            }
            agentId = message.get("agentId").textValue();
            Set<String> capabilities = new HashSet<>();
            message.get("capabilities").forEach(c -> capabilities.add(c.textValue()));
            slots = message.path("concurrency").asInt(1);
            name.set(agentId);
            metrics.agents(1, slots);
            Telemetry.event(
                    "agent_connected",
                    Map.of("agent_id", agentId, "module", "agents"),
                    Map.of("principal", principal, "capabilities", capabilities, "slots", slots));
            timers.cancel(HelloTimeout.class);
            dispatcher.tell(new TaskDispatcher.WorkerUp(agentId, capabilities, slots, context.getSelf()));
            send(JSON.createObjectNode()
                    .put("type", "welcome")
                    .put("agentId", agentId)
                    .put("acceptTimeoutMs", timeouts.accept().toMillis())
                    .put("leaseTimeoutMs", timeouts.lease().toMillis()));
            return Behaviors.same();
        }
        if (agentId == null) {
            error(400, "invalid_request", "the first message must be hello", Map.of("field", "type"));
            return Behaviors.same();
        }
        String taskId = message.get("taskId").textValue();
        int attempt = message.get("attempt").intValue();
        var task = sharding.entityRefFor(Task.TYPE, taskId);
        ActorRef<Command> self = context.getSelf();
        switch (type) {
            case "accept" -> task.tell(new Task.WorkerAccept(attempt, agentId, self));
            case "heartbeat" -> task.tell(new Task.WorkerHeartbeat(attempt, agentId, null, self));
            case "progress" ->
                task.tell(new Task.WorkerHeartbeat(
                        attempt, agentId, message.path("message").asText(null), self));
            case "reject" -> {
                release(taskId, attempt);
                task.tell(new Task.WorkerReject(
                        attempt, agentId, message.path("message").asText(null), self));
            }
            case "complete" -> {
                release(taskId, attempt);
                JsonNode exit = message.get("exitCode");
                task.tell(new Task.WorkerReport(
                        attempt,
                        agentId,
                        true,
                        exit == null || exit.isNull() ? null : exit.intValue(),
                        message.path("output").asText(null),
                        null,
                        true,
                        self));
            }
            default -> {
                release(taskId, attempt);
                JsonNode exit = message.get("exitCode");
                task.tell(new Task.WorkerReport(
                        attempt,
                        agentId,
                        false,
                        exit == null || exit.isNull() ? null : exit.intValue(),
                        message.path("output").asText(null),
                        message.path("message").asText(null),
                        message.path("retryable").asBoolean(true),
                        self));
            }
        }
        return Behaviors.same();
    }

    /** The message as JSON, checked against its type's schema; a 400 otherwise. */
    static JsonNode parse(String text) {
        if (text == null) {
            throw new ApiException(400, "invalid_request", "messages are JSON text, not binary");
        }
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed_json", "the message is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode type = message == null ? null : message.get("type");
        Schemas.Type schema = type != null && type.isTextual() ? TYPES.get(type.textValue()) : null;
        if (schema == null) {
            throw new ApiException(
                    400,
                    "invalid_request",
                    "a message is an object whose type is one of " + TYPES.keySet(),
                    Map.of("field", "type"),
                    null);
        }
        return Schemas.checked(schema, message);
    }

    /** The worker is done with an attempt it had: its slot is free again. */
    private void release(String taskId, int attempt) {
        Integer had = inFlight.get(taskId);
        if (had != null && had == attempt) {
            inFlight.remove(taskId);
            metrics.busySlots(-1);
            dispatcher.tell(new TaskDispatcher.SlotFree(agentId));
        }
    }

    private Behavior<Command> onAssign(Assign a) {
        if (inFlight.put(a.taskId(), a.attempt()) == null) {
            metrics.busySlots(1);
        }
        ObjectNode o = JSON.createObjectNode()
                .put("type", "assignment")
                .put("taskId", a.taskId())
                .put("attempt", a.attempt())
                .put("acceptBy", Instant.now().plus(a.acceptTimeout()).toString())
                .put("leaseTimeoutMs", a.lease().toMillis());
        a.command().forEach(o.putArray("command")::add);
        send(o);
        return Behaviors.same();
    }

    private Behavior<Command> onRevoke(Revoke r) {
        release(r.taskId(), r.attempt());
        send(JSON.createObjectNode()
                .put("type", "revoked")
                .put("taskId", r.taskId())
                .put("attempt", r.attempt())
                .put("reason", r.reason()));
        return Behaviors.same();
    }

    private Behavior<Command> onAnswer(Answer a) {
        if (a.kind().equals("error")) {
            error(409, a.code(), a.message(), Map.of("taskId", a.taskId(), "attempt", a.attempt()));
            return Behaviors.same();
        }
        ObjectNode o = JSON.createObjectNode()
                .put("type", a.kind())
                .put("taskId", a.taskId())
                .put("attempt", a.attempt());
        if (a.leaseUntil() != null) {
            o.put("leaseUntil", a.leaseUntil().toString());
        }
        send(o);
        return Behaviors.same();
    }

    private void error(int status, String code, String message, Map<String, Object> details) {
        send(errorMessage(status, code, message, details));
    }

    private static ObjectNode errorMessage(int status, String code, String message, Map<String, Object> details) {
        ObjectNode o = JSON.createObjectNode()
                .put("type", "error")
                .put("status", status)
                .put("code", code)
                .put("message", message);
        o.set("details", JSON.valueToTree(details));
        return o;
    }

    private void send(ObjectNode message) {
        out.tell(new Outbound(message.toString(), false));
    }
}
