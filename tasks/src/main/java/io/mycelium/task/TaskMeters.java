package io.mycelium.task;

import java.time.Duration;

/**
 * The meters the task queue updates and its alerter reads: task facts, latency and queue depth, and the worker
 * agents' slots. The node's metrics registry implements it; the task queue knows nothing of how they are exported.
 */
public interface TaskMeters {
    /** Counts a task fact ({@code submitted}, {@code completed}, {@code failed}, ...). */
    void taskFact(String fact);

    /** Records a task's time from submission to completion. */
    void taskCompleted(Duration latency);

    /** Sets the queue depth and the running tasks. */
    void taskCounts(long waiting, long runningNow);

    /** A worker agent connected with {@code n} slots (or left, with {@code -n} and {@code -1}). */
    void agents(int connected, int slotsDelta);

    /** A worker agent's slot was taken ({@code +1}) or freed ({@code -1}). */
    void busySlots(int delta);

    /** How many task facts of a kind were counted. */
    long taskFacts(String fact);

    /** The queue depth. */
    long queueDepth();
}
