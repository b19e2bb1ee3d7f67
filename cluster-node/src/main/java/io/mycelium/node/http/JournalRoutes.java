package io.mycelium.node.http;

import io.mycelium.node.ApiException;
import io.mycelium.node.identity.Principal;
import io.mycelium.node.journal.JournalAdmin;
import io.mycelium.node.policy.PrincipalPatterns;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/v1/journal/backup} (a backup now: H2 online backup, PostgreSQL logical export; policy admins) and {@code GET /api/v1/journal/health}
 * (table sizes, events since the last snapshot, the last backup's time and age). JDBC runs on {@code blocking}.
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
                        path(
                                "health",
                                () -> get(() -> completeWithFuture(CompletableFuture.supplyAsync(
                                                () -> {
                                                    try {
                                                        return Json.response(200, admin.health());
                                                    } catch (Exception e) {
                                                        throw new CompletionException(e);
                                                    }
                                                },
                                                blocking)
                                        .exceptionally(Failures::toResponse)))),
                        path(
                                "backup",
                                () -> post(() -> {
                                    if (!PrincipalPatterns.anyMatches(admins, principal.name())) {
                                        return complete(
                                                Json.error(
                                                        new ApiException(
                                                                403,
                                                                "not_a_policy_admin",
                                                                principal.name()
                                                                        + " may not back the journal up (mycelium.node.policy-admins)")));
                                    }
                                    return completeWithFuture(CompletableFuture.supplyAsync(
                                                    () -> {
                                                        try {
                                                            JournalAdmin.Backup b = admin.backup();
                                                            return Json.response(
                                                                    201,
                                                                    Map.of(
                                                                            "file",
                                                                                    b.file()
                                                                                            .toString(),
                                                                            "bytes", b.bytes(),
                                                                            "at", b.at().toString()));
                                                        } catch (Exception e) {
                                                            throw new CompletionException(e);
                                                        }
                                                    },
                                                    blocking)
                                            .exceptionally(Failures::toResponse));
                                }))));
    }
}
