package io.mycelium.task;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the task queue, from {@code mycelium.node.tasks}.
 *
 * @param defaultMaxAttempts attempts per round when a submission names none
 * @param maxMaxAttempts the most attempts a submission may ask for
 * @param backoffInitial the delay before the second attempt; it doubles per attempt (with jitter)
 * @param backoffMax the longest delay between two attempts
 * @param defaultDeadline how long a task may take overall, from its submission (or redrive), when it names none
 * @param attemptTimeout how long one attempt may run, when the submission names none (the policy clamps it too)
 * @param outputTailBytes the most stdout (and, apart, stderr) of an attempt kept in its facts
 * @param dedupeWindow how long an idempotency key answers with the task it first created
 * @param askTimeout how long the node waits for an entity's answer
 * @param wakeInterval how often the node's task index wakes open tasks without a new fact (after a restart, say)
 * @param acceptTimeout how long a worker agent has to accept an assignment before it goes to another
 * @param leaseTimeout how long an accepted attempt stays a worker's without a heartbeat
 * @param redispatchInterval how often a capability task waiting for a worker announces itself again
 */
public record TaskSettings(
        int defaultMaxAttempts,
        int maxMaxAttempts,
        Duration backoffInitial,
        Duration backoffMax,
        Duration defaultDeadline,
        Duration attemptTimeout,
        int outputTailBytes,
        Duration dedupeWindow,
        Duration askTimeout,
        Duration wakeInterval,
        Duration acceptTimeout,
        Duration leaseTimeout,
        Duration redispatchInterval) {

    /** Reads {@code mycelium.node.tasks}. */
    public static TaskSettings fromConfig(Config config) {
        Config c = config.getConfig("mycelium.node.tasks");
        return new TaskSettings(
                c.getInt("default-max-attempts"),
                c.getInt("max-max-attempts"),
                c.getDuration("backoff-initial"),
                c.getDuration("backoff-max"),
                c.getDuration("default-deadline"),
                c.getDuration("attempt-timeout"),
                (int) Math.min(Integer.MAX_VALUE, c.getBytes("output-tail").longValue()),
                c.getDuration("dedupe-window"),
                c.getDuration("ask-timeout"),
                c.getDuration("wake-interval"),
                c.getDuration("accept-timeout"),
                c.getDuration("lease-timeout"),
                c.getDuration("redispatch-interval"));
    }

    /** The timeouts of worker agents' assignments. */
    public Task.WorkerTimeouts workerTimeouts() {
        return new Task.WorkerTimeouts(acceptTimeout, leaseTimeout, redispatchInterval);
    }
}
