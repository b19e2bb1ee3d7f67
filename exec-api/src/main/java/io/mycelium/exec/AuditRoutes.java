package io.mycelium.exec;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.exec.audit.ExecAuditLog;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@code GET /api/v1/audit?since=INSTANT&limit=N}: the audit records (facts tagged {@code audit}) of executions that
 * ended at or after {@code since}, oldest first, at most {@code limit} (default 1000, at most 10000).
 */
public final class AuditRoutes extends AllDirectives {
    private static final int MAX_LIMIT = 10_000;

    private final ActorSystem<?> system;
    private final JdbcReadJournal journal;

    public AuditRoutes(ActorSystem<?> system) {
        this.system = system;
        this.journal =
                PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    }

    public Route routes() {
        return path(
                "audit",
                () -> get(() -> parameterOptional(
                        "since",
                        since -> parameterOptional("limit", limit -> {
                            Instant from;
                            int max;
                            try {
                                from = since(since);
                                max = limit(limit);
                            } catch (ApiException e) {
                                return complete(Json.error(e));
                            }
                            return completeWithFuture(journal.currentEventsByTag(Execution.AUDIT_TAG, Offset.noOffset())
                                    .map(envelope -> envelope.event())
                                    .filter(event -> event instanceof Execution.ExecAudited)
                                    .map(event -> ((Execution.ExecAudited) event).log())
                                    .filter(log -> log.endTime() == null
                                            || !log.endTime().isBefore(from))
                                    .take(max)
                                    .runWith(Sink.<ExecAuditLog>seq(), system)
                                    .thenApply(list ->
                                            Json.response(200, Map.of("since", from.toString(), "records", list)))
                                    .exceptionally(Failures::toResponse));
                        }))));
    }

    private static Instant since(Optional<String> since) {
        if (since.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(since.get());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since", "since must be an ISO-8601 instant like 2026-11-21T10:00:00Z");
        }
    }

    private static int limit(Optional<String> limit) {
        if (limit.isEmpty()) {
            return 1000;
        }
        try {
            int n = Integer.parseInt(limit.get());
            if (n < 1 || n > MAX_LIMIT) {
                throw ApiException.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit", "limit must be a number");
        }
    }
}
