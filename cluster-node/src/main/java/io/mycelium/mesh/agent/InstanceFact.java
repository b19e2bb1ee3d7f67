package io.mycelium.mesh.agent;

import io.mycelium.journal.KryoSerializable;
import java.time.Instant;

/** What happened to an instance on a node agent; recorded in the journal by {@link AgentFacts}. */
public record InstanceFact(Kind kind, String app, String digest, long pid, String detail, Instant at)
        implements KryoSerializable {
    /** The kinds of fact. */
    public enum Kind {
        /** The process was started; detail: its port. */
        STARTED,
        /** The process answered /health and its endpoint was registered; detail: the URL. */
        SERVING,
        /** The process exited on its own; detail: the exit code. */
        EXITED,
        /** The agent stopped the process (replaced, unhealthy, or the node stopping); detail: why. */
        STOPPED,
        /** The process never answered /health in time. */
        HEALTH_FAILED,
        /** The spore could not be fetched, verified, extracted or started; detail: the error. */
        START_FAILED,
        /** The app's budget allowed no further instance. */
        BUDGET_REFUSED,
        /** A restart was scheduled; detail: the delay. */
        RESTART_SCHEDULED
    }
}
