package io.mycelium.node.http;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.identity.PrincipalPatterns;
import io.mycelium.node.journal.JournalAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/journal/health} (table sizes, events since the last snapshot, the last backup's time and age, the
 * last compaction), and for policy admins {@code POST /api/v1/journal/backup} (a backup now: H2 online backup,
 * PostgreSQL logical export) and {@code POST /api/v1/journal/compact} (delete the events no reader needs). JDBC runs on
 * {@code blocking}.
 */
final class JournalRoutes extends AllDirectives {
    private final JournalAdmin admin;
    private final List<String> admins;
    private final Executor blocking;

    JournalRoutes(JournalAdmin admin, List<String> admins, Executor blocking) {
        this.admin = admin;
        this.admins = List.copyOf(admins);
        this.blocking = blocking;
    }

    Route routes(Principal principal) {
        return pathPrefix(
                "journal",
                () -> concat(
                        path("health", () -> get(() -> run(() -> Json.response(200, admin.health())))),
                        path(
                                "backup",
                                () -> post(() -> adminOnly(principal, "back the journal up", () -> {
                                    JournalAdmin.Backup b = admin.backup();
                                    return Json.response(
                                            201,
                                            Map.of(
                                                    "file", b.file().toString(),
                                                    "bytes", b.bytes(),
                                                    "at", b.at().toString()));
                                }))),
                        path(
                                "compact",
                                () -> post(() -> adminOnly(principal, "compact the journal", () -> {
                                    JournalAdmin.Compaction c = admin.compact();
                                    return Json.response(
                                            200, Map.of("at", c.at().toString(), "eventsDeleted", c.eventsDeleted()));
                                })))));
    }

    private Route adminOnly(Principal principal, String action, Callable<HttpResponse> work) {
        if (!PrincipalPatterns.anyMatches(admins, principal.name())) {
            return complete(Json.error(new ApiException(
                    403,
                    "not_a_policy_admin",
                    principal.name() + " may not " + action + " (mycelium.node.policy-admins)")));
        }
        return run(work);
    }

    private Route run(Callable<HttpResponse> work) {
        return completeWithFuture(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return work.call();
                            } catch (Exception e) {
                                throw new CompletionException(e);
                            }
                        },
                        blocking)
                .exceptionally(Failures::toResponse));
    }
}
