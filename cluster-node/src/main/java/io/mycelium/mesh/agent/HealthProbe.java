package io.mycelium.mesh.agent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Polls {@code GET /health} until it answers 200 or the time is up; never blocks a thread while waiting. */
final class HealthProbe {
    private static final Duration EVERY = Duration.ofMillis(50);
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    /** Completes with true once {@code base}/health answered 200, false when {@code timeout} passed first. */
    CompletionStage<Boolean> await(URI base, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return attempt(
                HttpRequest.newBuilder(base.resolve("/health"))
                        .timeout(Duration.ofSeconds(1))
                        .GET()
                        .build(),
                deadline);
    }

    private CompletionStage<Boolean> attempt(HttpRequest request, long deadline) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> error == null && response.statusCode() == 200)
                .thenCompose(healthy -> {
                    if (healthy) {
                        return CompletableFuture.completedFuture(true);
                    }
                    if (System.nanoTime() + EVERY.toNanos() > deadline) {
                        return CompletableFuture.completedFuture(false);
                    }
                    return CompletableFuture.supplyAsync(
                                    () -> null,
                                    CompletableFuture.delayedExecutor(EVERY.toMillis(), TimeUnit.MILLISECONDS))
                            .thenCompose(ignored -> attempt(request, deadline));
                });
    }
}
