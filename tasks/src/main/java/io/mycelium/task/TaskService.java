package io.mycelium.task;

import io.mycelium.api.ApiException;
import io.mycelium.api.identity.Principal;
import io.mycelium.exec.ExecService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * The task queue's API on the node that serves the client: submissions (with their idempotency keys), status,
 * cancel, the lists from the node's {@link TaskIndex}, and the dead-letter queue.
 */
public final class TaskService {
    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final ExecService exec;
    private final ActorRef<TaskIndex.Command> index;
    private final ActorRef<TaskDispatcher.Command> dispatcher;
    private final TaskSettings settings;

    /** The service over the node's entities and its task index. */
    public TaskService(
            ActorSystem<?> system,
            ClusterSharding sharding,
            ExecService exec,
            ActorRef<TaskIndex.Command> index,
            ActorRef<TaskDispatcher.Command> dispatcher,
            TaskSettings settings) {
        this.system = system;
        this.sharding = sharding;
        this.exec = exec;
        this.index = index;
        this.dispatcher = dispatcher;
        this.settings = settings;
    }

    /** The settings submissions are read with. */
    public TaskSettings settings() {
        return settings;
    }

    /** The cluster's task dispatcher, which worker agents' connections register with. */
    public ActorRef<TaskDispatcher.Command> dispatcher() {
        return dispatcher;
    }

    /** The sharding of the task entities. */
    public ClusterSharding sharding() {
        return sharding;
    }

    /**
     * Submits a task: completes with the new task ({@code created}), or with the task an idempotency key already
     * stands for; 404 when the target is no registered host. A capability task waits for a worker that has it.
     */
    public CompletionStage<Task.SubmitReply> submit(TaskRequest request, Principal principal, String clientIp) {
        CompletionStage<?> target =
                request.target() != null ? exec.host(request.target()) : CompletableFuture.completedFuture(null);
        return target.thenCompose(host -> taskId(request, principal)).thenCompose(claim -> {
            Task.TaskSubmitted submitted = new Task.TaskSubmitted(
                    claim.taskId(),
                    request.target(),
                    request.capability(),
                    request.command(),
                    request.maxAttempts(),
                    request.backoffInitial(),
                    request.backoffMax(),
                    request.deadline(),
                    request.timeout(),
                    request.idempotencyKey(),
                    principal.name(),
                    principal.kind().name(),
                    clientIp,
                    Instant.now());
            return sharding.entityRefFor(Task.TYPE, claim.taskId())
                    .<Task.SubmitReply>ask(replyTo -> new Task.Submit(submitted, replyTo), settings.askTimeout())
                    // A key claimed by a submission whose task was recorded anyway answers as a duplicate.
                    .thenApply(reply -> claim.fresh() ? reply : new Task.SubmitReply(reply.status(), false));
        });
    }

    private CompletionStage<IdempotencyKey.Claimed> taskId(TaskRequest request, Principal principal) {
        String id = UUID.randomUUID().toString();
        if (request.idempotencyKey() == null) {
            return CompletableFuture.completedFuture(new IdempotencyKey.Claimed(id, true));
        }
        return sharding.entityRefFor(
                        IdempotencyKey.TYPE, IdempotencyKey.entityId(principal.name(), request.idempotencyKey()))
                .ask(replyTo -> new IdempotencyKey.Claim(id, settings.dedupeWindow(), replyTo), settings.askTimeout());
    }

    /** The task with its history, or a 404. */
    public CompletionStage<TaskStatus> status(String id) {
        return ask(id, Task.GetStatus::new, null);
    }

    /** Cancels a task; 404 when unknown, 409 when it already ended. */
    public CompletionStage<TaskStatus> cancel(String id, Principal by) {
        return status(id).thenCompose(s -> ask(id, replyTo -> new Task.Cancel(by.name(), replyTo), "already_ended"));
    }

    /** Redrives a dead-lettered task; 404 when unknown, 409 when it is not dead-lettered. */
    public CompletionStage<TaskStatus> redrive(String id, Principal by) {
        return status(id)
                .thenCompose(s -> ask(id, replyTo -> new Task.Redrive(by.name(), replyTo), "not_dead_lettered"));
    }

    private CompletionStage<TaskStatus> ask(
            String id, Function<ActorRef<StatusReply<TaskStatus>>, Task.Command> command, String conflict) {
        return sharding.entityRefFor(Task.TYPE, id)
                .<StatusReply<TaskStatus>>ask(command::apply, settings.askTimeout())
                .thenApply(reply -> {
                    if (reply.isError()) {
                        String message = reply.getError().getMessage();
                        throw conflict == null
                                ? ApiException.notFound(message)
                                : new ApiException(409, conflict, message, Map.of("id", id), null);
                    }
                    return reply.getValue();
                });
    }

    /** The tasks in {@code states} (all when empty), oldest first; 503 while the index reads the history. */
    public CompletionStage<TaskIndex.Listing> list(Set<TaskState> states, int limit) {
        return AskPattern.<TaskIndex.Command, TaskIndex.Reply>ask(
                        index,
                        replyTo -> new TaskIndex.ListTasks(states, limit, replyTo),
                        settings.askTimeout(),
                        system.scheduler())
                .thenApply(reply -> switch (reply) {
                    case TaskIndex.Listing l -> l;
                    case TaskIndex.NotReady n ->
                        throw new ApiException(503, "unavailable", n.message(), Map.of(), Duration.ofSeconds(1));
                });
    }

    /** The dead-letter queue: each task with its whole history, oldest submission first. */
    public CompletionStage<List<TaskStatus>> deadLetters(int limit) {
        return list(Set.of(TaskState.DEAD_LETTERED), limit).thenCompose(listing -> {
            List<CompletableFuture<TaskStatus>> statuses = new ArrayList<>();
            for (TaskIndex.Summary s : listing.tasks()) {
                statuses.add(status(s.id()).toCompletableFuture());
            }
            return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new))
                    .thenApply(done -> statuses.stream()
                            .map(CompletableFuture::join)
                            // The index lags the entities by up to its refresh interval.
                            .filter(t -> t.state() == TaskState.DEAD_LETTERED)
                            .toList());
        });
    }
}
