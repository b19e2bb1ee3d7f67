package io.mycelium.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The journal test both databases run: counters persist events in one actor system, the system terminates, and a new
 * one recovers them, one counter through a snapshot (its early events deleted), one from events alone.
 */
final class RecoveryScenario {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** Enough increments for two snapshots, so the events before the first are deleted. */
    static final int SNAPSHOTTED_INCREMENTS = 2 * Counter.SNAPSHOT_EVERY + 2;

    private RecoveryScenario() {}

    /** Runs the scenario on the journal {@code overlay} configures, under a name unique to the calling test. */
    static void run(String name, Config overlay) throws Exception {
        Config config = TestSystems.config(overlay);
        int expected = SNAPSHOTTED_INCREMENTS * (SNAPSHOTTED_INCREMENTS + 1) / 2;

        ActorTestKit first = ActorTestKit.create(name, config);
        try {
            ensureSchemaTwice(first);
            ActorRef<Counter.Command> snapshotted = first.spawn(Counter.create(name + "-snapshotted"));
            ActorRef<Counter.Command> replayed = first.spawn(Counter.create(name + "-replayed"));
            TestProbe<StatusReply<Integer>> replies = first.createTestProbe();
            for (int by = 1; by <= SNAPSHOTTED_INCREMENTS; by++) {
                snapshotted.tell(new Counter.Increment(by, replies.ref()));
                assertThat(replies.receiveMessage(TIMEOUT).getValue()).isEqualTo(by * (by + 1) / 2);
            }
            for (int i = 0; i < Counter.SNAPSHOT_EVERY - 1; i++) {
                replayed.tell(new Counter.Increment(10, replies.ref()));
                replies.receiveMessage(TIMEOUT);
            }
            replayed.tell(new Counter.Increment(-1, replies.ref()));
            assertThat(replies.receiveMessage(TIMEOUT).getError()).hasMessage("can only count up");
            awaitEarlyEventsDeleted(JournalSettings.fromConfig(config), name);
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = ActorTestKit.create(name, config);
        try {
            ensureSchemaTwice(second);
            TestProbe<Integer> values = second.createTestProbe();
            second.spawn(Counter.create(name + "-snapshotted")).tell(new Counter.Get(values.ref()));
            assertThat(values.receiveMessage(TIMEOUT)).isEqualTo(expected);
            second.spawn(Counter.create(name + "-replayed")).tell(new Counter.Get(values.ref()));
            assertThat(values.receiveMessage(TIMEOUT)).isEqualTo(10 * (Counter.SNAPSHOT_EVERY - 1));
        } finally {
            second.shutdownTestKit();
        }

        checkRows(JournalSettings.fromConfig(config), name);
    }

    /**
     * Waits until the events the second snapshot covers are deleted (Pekko does it after the snapshot is stored): from
     * then on, only a snapshot can give the counter its full value.
     */
    private static void awaitEarlyEventsDeleted(JournalSettings settings, String name) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (Connection connection =
                    DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
                List<Long> remaining = remainingEvents(connection, name);
                if (!remaining.isEmpty() && remaining.get(0) > Counter.SNAPSHOT_EVERY) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("events before the snapshot were not deleted: " + remaining);
                }
            }
            Thread.sleep(100);
        }
    }

    private static List<Long> remainingEvents(Connection connection, String name) throws SQLException {
        return longs(
                connection,
                "SELECT sequence_number FROM event_journal WHERE persistence_id = ? AND NOT deleted"
                        + " ORDER BY sequence_number",
                "Counter|" + name + "-snapshotted");
    }

    private static void ensureSchemaTwice(ActorTestKit testKit) throws Exception {
        JournalSchema.ensure(testKit.system()).toCompletableFuture().get();
        JournalSchema.ensure(testKit.system()).toCompletableFuture().get();
    }

    /**
     * What the scenario left in the tables: events written by the Kryo serializer, the snapshotted counter's early
     * events gone and its snapshot present. Read after the actor systems terminated (H2 then lets go of its file).
     */
    private static void checkRows(JournalSettings settings, String name) throws SQLException {
        try (Connection connection =
                DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
            List<Long> remaining = remainingEvents(connection, name);
            assertThat(remaining).as("events left after the snapshots").first().isEqualTo(Counter.SNAPSHOT_EVERY + 1L);
            assertThat(remaining).last().isEqualTo((long) SNAPSHOTTED_INCREMENTS);
            assertThat(longs(
                            connection,
                            "SELECT sequence_number FROM snapshot WHERE persistence_id = ?",
                            "Counter|" + name + "-snapshotted"))
                    .isNotEmpty()
                    .allMatch(sequenceNumber -> sequenceNumber % Counter.SNAPSHOT_EVERY == 0);
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT DISTINCT event_ser_id, event_ser_manifest FROM event_journal WHERE persistence_id = ?")) {
                select.setString(1, "Counter|" + name + "-replayed");
                try (ResultSet rows = select.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getInt(1)).isEqualTo(KryoSerializer.IDENTIFIER);
                    assertThat(rows.getString(2)).isEqualTo("100");
                    assertThat(rows.next()).isFalse();
                }
            }
        }
    }

    private static List<Long> longs(Connection connection, String sql, String parameter) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getLong(1));
                }
            }
        }
        return values;
    }
}
