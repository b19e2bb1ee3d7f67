package io.mycelium.task;

import io.mycelium.journal.KryoSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Matches capability tasks that are due with connected worker agents that advertise the capability and have a free
 * slot: one per cluster (a singleton). It holds nothing that is not rebuilt by itself: tasks announce themselves again
 * while they wait ({@link Task} re-sends {@link Ready}), and workers register again when it moves.
 *
 * <p>A match is an offer to the task's entity, which records the assignment (or declines, when it moved on) and hands
 * the task to the worker itself; a slot comes back with {@link SlotFree} from the worker's connection, or from the task
 * when it declines.
 */
public final class TaskDispatcher {

    /** What the dispatcher answers. */
    public sealed interface Command extends KryoSerializable {}

    /** A task's attempt waits for a worker with {@code capability}. */
    public record Ready(String taskId, String capability, int attempt) implements Command {}

    /** A worker connected (or its connection registers again). */
    public record WorkerUp(String agentId, Set<String> capabilities, int slots, ActorRef<WorkerConnection.Command> ref)
            implements Command {}

    /** A worker's slot is free again. */
    public record SlotFree(String agentId) implements Command {}

    /** The worker's connection ended. */
    public record WorkerDown(String agentId, ActorRef<WorkerConnection.Command> ref) implements Command {}

    private record Worker(Set<String> capabilities, int free, ActorRef<WorkerConnection.Command> ref) {
        Worker withFree(int n) {
            return new Worker(capabilities, n, ref);
        }
    }

    private final ActorContext<Command> context;
    private final ClusterSharding sharding;
    private final Map<String, Ready> waiting = new LinkedHashMap<>();
    private final Map<String, Worker> workers = new HashMap<>();
    private int next;

    private TaskDispatcher(ActorContext<Command> context, ClusterSharding sharding) {
        this.context = context;
        this.sharding = sharding;
    }

    /** The dispatcher, offering tasks through {@code sharding}. */
    public static Behavior<Command> create(ClusterSharding sharding) {
        return Behaviors.setup(context -> new TaskDispatcher(context, sharding).behavior());
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Ready.class, r -> {
                    Ready earlier = waiting.get(r.taskId());
                    if (earlier == null || earlier.attempt() <= r.attempt()) {
                        waiting.put(r.taskId(), r);
                    }
                    match();
                    return Behaviors.same();
                })
                .onMessage(WorkerUp.class, w -> {
                    Worker known = workers.get(w.agentId());
                    if (known != null && !known.ref().equals(w.ref())) {
                        w.ref().tell(new WorkerConnection.AgentIdTaken(w.agentId()));
                        return Behaviors.same();
                    }
                    if (known == null) {
                        context.watchWith(w.ref(), new WorkerDown(w.agentId(), w.ref()));
                        workers.put(w.agentId(), new Worker(Set.copyOf(w.capabilities()), w.slots(), w.ref()));
                    }
                    match();
                    return Behaviors.same();
                })
                .onMessage(SlotFree.class, f -> {
                    Worker w = workers.get(f.agentId());
                    if (w != null) {
                        workers.put(f.agentId(), w.withFree(w.free() + 1));
                        match();
                    }
                    return Behaviors.same();
                })
                .onMessage(WorkerDown.class, d -> {
                    Worker w = workers.get(d.agentId());
                    if (w != null && w.ref().equals(d.ref())) {
                        workers.remove(d.agentId());
                    }
                    return Behaviors.same();
                })
                .build();
    }

    /** Offers waiting tasks, oldest first, to workers with the capability and a free slot, in turn. */
    private void match() {
        if (waiting.isEmpty() || workers.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(workers.keySet());
        ids.sort(null);
        var it = waiting.values().iterator();
        while (it.hasNext()) {
            Ready r = it.next();
            String chosen = null;
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get((next + i) % ids.size());
                Worker w = workers.get(id);
                if (w.free() > 0 && w.capabilities().contains(r.capability())) {
                    chosen = id;
                    next = (next + i + 1) % ids.size();
                    break;
                }
            }
            if (chosen == null) {
                continue;
            }
            Worker w = workers.get(chosen);
            workers.put(chosen, w.withFree(w.free() - 1));
            it.remove();
            sharding.entityRefFor(Task.TYPE, r.taskId()).tell(new Task.Offer(r.attempt(), chosen, w.ref()));
        }
    }
}
