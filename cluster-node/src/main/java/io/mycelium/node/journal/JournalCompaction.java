package io.mycelium.node.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Deletes the journal events that no reader needs any more: those at or below their entity's newest snapshot, except
 * tagged events and each entity's newest event. Same SQL on H2 and PostgreSQL.
 *
 * <p>What is kept, and why:
 *
 * <ul>
 *   <li>Every tagged event (a row in {@code event_tag}): the task index ({@code task}), the active executions list
 *       ({@code exec}) and the audit trail ({@code audit}) read their tags from the start of the journal on every node
 *       start, so deleting a tagged event would drop a task, an execution or an audit record from them. Task and
 *       Execution events are all tagged, so their entities keep every event (their snapshots only shorten recovery).
 *   <li>Events after the newest snapshot of their persistence id: recovery replays them on top of it.
 *   <li>The newest event of each persistence id: the journal derives the next sequence number from it.
 * </ul>
 *
 * What goes: untagged events covered by a snapshot, i.e. those of the policy store, the host directory, idempotency
 * keys and the mesh's plan log and agent facts.
 */
final class JournalCompaction {
    private static final String DELETE = "DELETE FROM \"event_journal\" e"
            + " WHERE e.\"sequence_number\" <= (SELECT MAX(s.\"sequence_number\") FROM \"snapshot\" s"
            + " WHERE s.\"persistence_id\" = e.\"persistence_id\")"
            + " AND e.\"sequence_number\" < (SELECT MAX(n.\"sequence_number\") FROM \"event_journal\" n"
            + " WHERE n.\"persistence_id\" = e.\"persistence_id\")"
            + " AND NOT EXISTS (SELECT 1 FROM \"event_tag\" t WHERE t.\"event_id\" = e.\"ordering\")";

    private JournalCompaction() {}

    /** Deletes what {@link JournalCompaction} allows, in one statement; returns how many events went. */
    static long compact(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            return s.executeLargeUpdate(DELETE);
        }
    }
}
