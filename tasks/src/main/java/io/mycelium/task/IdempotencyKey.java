package io.mycelium.task;

import io.mycelium.journal.KryoSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One idempotency key of one principal, event-sourced: the first submission with it claims it for its task, and
 * every submission with the same key within the dedupe window gets that task instead of a new one. One entity per
 * key makes the answer consistent across the cluster, also for two submissions racing each other.
 */
public final class IdempotencyKey
        extends EventSourcedBehavior<IdempotencyKey.Command, IdempotencyKey.KeyClaimed, IdempotencyKey.State> {

    /** The sharded entity type; the entity id is {@link #entityId(String, String)}. */
    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "TaskIdempotencyKey");

    /** What a key answers. */
    public sealed interface Command extends KryoSerializable {}

    /**
     * Claims the key for {@code taskId} unless a claim younger than {@code window} holds it.
     *
     * @param replyTo gets the task the key stands for
     */
    public record Claim(String taskId, Duration window, ActorRef<Claimed> replyTo) implements Command {}

    /** The task the key stands for; {@code fresh} when this claim made it so. */
    public record Claimed(String taskId, boolean fresh) implements KryoSerializable {}

    /** The key was claimed for a task. */
    public record KeyClaimed(String taskId, Instant at) implements KryoSerializable {}

    /** The current claim, or an empty one. */
    public record State(String taskId, Instant at) implements KryoSerializable {}

    private IdempotencyKey(String entityId) {
        super(PersistenceId.of(TYPE.name(), entityId));
    }

    /** The entity of one key. */
    public static Behavior<Command> create(String entityId) {
        return new IdempotencyKey(entityId);
    }

    /** The entity id of {@code key} as submitted by {@code principal}: a digest, so any key fits the journal. */
    public static String entityId(String principal, String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(principal.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public State emptyState() {
        return new State(null, null);
    }

    @Override
    public CommandHandler<Command, KeyClaimed, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Claim.class, (state, c) -> {
                    Instant now = Instant.now();
                    if (state.taskId() != null && state.at().plus(c.window()).isAfter(now)) {
                        return Effect().reply(c.replyTo(), new Claimed(state.taskId(), false));
                    }
                    return Effect()
                            .persist(new KeyClaimed(c.taskId(), now))
                            .thenReply(c.replyTo(), s -> new Claimed(s.taskId(), true));
                })
                .build();
    }

    @Override
    public EventHandler<State, KeyClaimed> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> new State(e.taskId(), e.at()));
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(10, 1);
    }
}
