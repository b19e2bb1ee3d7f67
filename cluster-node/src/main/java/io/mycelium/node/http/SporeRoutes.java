package io.mycelium.node.http;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.mesh.repo.RepoException;
import io.mycelium.mesh.repo.SporeFetcher;
import io.mycelium.mesh.repo.SporeRepo;
import io.mycelium.mesh.spore.Sha256;
import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;

/**
 * The spore repo on the admin API: {@code POST /api/v1/spores} (the body is a .spore; 201 with its digest), {@code
 * GET /api/v1/spores} (the digests here), {@code GET /api/v1/spores/{digest}} (the file, as peers fetch it) and
 * {@code POST /api/v1/spores/{digest}/fetch} (get it from a peer unless this node has it).
 */
final class SporeRoutes extends AllDirectives {
    private final SporeRepo repo;
    private final SporeFetcher fetcher;
    private final long maxBytes;
    private final Materializer materializer;
    private final Executor blocking;

    SporeRoutes(ActorSystem<?> system, SporeRepo repo, SporeFetcher fetcher, long maxBytes) {
        this.repo = repo;
        this.fetcher = fetcher;
        this.maxBytes = maxBytes;
        this.materializer = Materializer.matFromSystem(system);
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    Route routes() {
        return pathPrefix(
                "spores",
                () -> concat(
                        pathEndOrSingleSlash(() -> concat(
                                post(() -> extractRequestEntity(entity -> completeWithFuture(upload(entity)))),
                                get(() -> completeWithFuture(CompletableFuture.supplyAsync(this::list, blocking)
                                        .exceptionally(SporeRoutes::error))))),
                        path(PathMatchers.segment(), digest -> get(() -> download(digest))),
                        path(
                                PathMatchers.segment().slash("fetch"),
                                digest -> post(() -> completeWithFuture(fetcher.fetch(checked(digest))
                                        .thenApply(
                                                file -> Json.response(200, Map.of("digest", digest, "fetched", true)))
                                        .exceptionally(SporeRoutes::error))))));
    }

    private CompletionStage<HttpResponse> upload(HttpEntity entity) {
        Path incoming;
        try {
            incoming = repo.incoming();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return entity.withSizeLimit(maxBytes)
                .getDataBytes()
                .runWith(FileIO.toPath(incoming), materializer)
                .thenApplyAsync(
                        written -> {
                            try {
                                Spore spore = repo.admit(incoming, null, "the upload");
                                Map<String, Object> body = new LinkedHashMap<>();
                                body.put("digest", spore.digest());
                                body.put("name", spore.manifest().identity().name());
                                body.put("version", spore.manifest().identity().version());
                                return Json.response(201, body);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        blocking)
                .whenComplete((r, e) -> deleteQuietly(incoming))
                .exceptionally(SporeRoutes::error);
    }

    private Route download(String digest) {
        Optional<Path> file = repo.path(checked(digest));
        return file.map(f -> getFromFile(f.toFile()))
                .orElseGet(() -> complete(Json.error(new ApiException(
                        404, "spore_not_found", "this node has no spore " + digest, Map.of("digest", digest), null))));
    }

    private HttpResponse list() {
        try {
            return Json.response(200, Map.of("digests", repo.digests()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String checked(String digest) {
        if (!Sha256.isDigest(digest)) {
            throw ApiException.badRequest("digest", "a digest is the sha256 of the .spore in lowercase hex: " + digest);
        }
        return digest;
    }

    /** Spore refusals are 422, an upload over the limit 413, a spore no node has 404. */
    static HttpResponse error(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof SporeException refused) {
            return Json.error(new ApiException(422, refused.code(), refused.getMessage()));
        }
        if (t instanceof RepoException.NotFound missing) {
            return Json.error(new ApiException(404, missing.code(), missing.getMessage()));
        }
        if (t instanceof RepoException other) {
            return Json.error(new ApiException(502, other.code(), other.getMessage()));
        }
        if (t instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException tooBig) {
            return Json.error(new ApiException(
                    413, "body_too_large", "the spore is larger than the limit: " + tooBig.getMessage()));
        }
        return Failures.toResponse(t);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A stale temporary file in the repo is harmless: it never has a digest's name.
        }
    }
}
