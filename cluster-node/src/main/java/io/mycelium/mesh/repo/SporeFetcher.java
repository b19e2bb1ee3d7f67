package io.mycelium.mesh.repo;

import io.mycelium.mesh.spore.Spore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Makes a spore available on this node: from the local repo, or fetched from a peer's admin API ({@code GET
 * /api/v1/spores/{digest}}), its sha256 checked against the digest and its signature verified before it is stored.
 * Peers are tried one after the other; a peer that lacks it, is down or sends other bytes is skipped.
 */
public final class SporeFetcher {
    private final SporeRepo repo;
    private final Supplier<CompletionStage<List<URI>>> peers;
    private final HttpClient http;
    private final Optional<String> bearerToken;
    private final Executor blocking;
    private final Duration timeout;

    /**
     * @param peers the admin URLs of the other nodes
     * @param bearerToken sent to peers, for clusters whose admin API needs one
     * @param blocking where file I/O (hashing, verifying) runs
     */
    public SporeFetcher(
            SporeRepo repo,
            Supplier<CompletionStage<List<URI>>> peers,
            Optional<String> bearerToken,
            Executor blocking,
            Duration timeout) {
        this.repo = repo;
        this.peers = peers;
        this.bearerToken = bearerToken;
        this.blocking = blocking;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The stored file of {@code digest}, fetched from a peer first when this node lacks it. */
    public CompletionStage<Path> fetch(String digest) {
        Optional<Path> local = repo.path(digest);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local.get());
        }
        return peers.get().thenCompose(urls -> tryPeers(digest, new ArrayList<>(urls), new ArrayList<>()));
    }

    private CompletionStage<Path> tryPeers(String digest, List<URI> remaining, List<String> failures) {
        if (remaining.isEmpty()) {
            String why = failures.isEmpty() ? " (no peer to ask)" : " (" + String.join("; ", failures) + ")";
            return CompletableFuture.failedFuture(new RepoException.NotFound(digest, why));
        }
        URI peer = remaining.remove(0);
        return fetchFrom(peer, digest)
                .handle((path, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(path);
                    }
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    failures.add(peer + ": " + cause.getMessage());
                    return tryPeers(digest, remaining, failures);
                })
                .thenCompose(f -> f);
    }

    private CompletionStage<Path> fetchFrom(URI peer, String digest) {
        Path incoming;
        try {
            incoming = repo.incoming();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(peer.resolve("/api/v1/spores/" + digest))
                .timeout(timeout)
                .GET();
        bearerToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofFile(incoming))
                .thenApplyAsync(
                        response -> {
                            try {
                                if (response.statusCode() != 200) {
                                    throw new IOException("answered " + response.statusCode());
                                }
                                Spore spore = repo.admit(incoming, digest, peer.toString());
                                return repo.path(spore.digest()).orElseThrow();
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e.getMessage(), e);
                            }
                        },
                        blocking)
                .whenComplete((path, error) -> {
                    if (error != null) {
                        try {
                            Files.deleteIfExists(incoming);
                        } catch (IOException ignored) {
                            // The next put or fetch makes a new temporary file; a stale one is harmless.
                        }
                    }
                });
    }
}
