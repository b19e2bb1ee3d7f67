package io.mycelium.mesh.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.mesh.fabric.Endpoint;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.japi.function.Function;

/**
 * The reverse proxy: {@code /{app}/rest} goes to {@code rest} on the app's endpoints in turn (round robin), the
 * request and response bodies streamed through, upstream connections pooled and kept alive. Each answer carries
 * {@code X-Mycelium-Edge} (the time, RFC 3339). An idempotent request without a streamed body whose upstream
 * connection fails before an answer (refused: the process just died) is sent once more to another endpoint, so a
 * dead process costs clients nothing. No endpoint: 503 with a JSON error.
 */
final class EdgeProxy implements Function<HttpRequest, CompletionStage<HttpResponse>> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EdgeProxy.class);
    static final String HEADER = "X-Mycelium-Edge";
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    private static final Set<String> HOP_BY_HOP = Set.of("timeout-access", "host", "connection", "keep-alive");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final Http http;
    private final EndpointTable table;
    private final EdgeMetrics metrics;
    private final ConnectionPoolSettings pool;
    private final HttpsConnectionContext https;
    private final LoggingAdapter log;
    private final org.apache.pekko.stream.Materializer materializer;
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    // Parsed endpoint URLs: an endpoint's URL is parsed once, not on every request.
    private final Map<String, Uri> targets = new ConcurrentHashMap<>();
    private final Stamp stamp = new Stamp();

    EdgeProxy(ActorSystem<?> system, EndpointTable table, EdgeMetrics metrics, EdgeSettings settings) {
        this.http = Http.get(system);
        this.table = table;
        this.metrics = metrics;
        // No retries inside the pool: a refused connection is retried here, on another endpoint.
        this.pool = ConnectionPoolSettings.create(system.classicSystem())
                .withMaxConnections(settings.maxConnectionsPerEndpoint())
                .withMaxOpenRequests(Integer.highestOneBit(settings.maxConnectionsPerEndpoint() * 32) * 2)
                .withMaxRetries(0);
        this.https = http.defaultClientHttpsContext();
        this.log = system.classicSystem().log();
        this.materializer = org.apache.pekko.stream.Materializer.matFromSystem(system);
    }

    @Override
    public CompletionStage<HttpResponse> apply(HttpRequest request) {
        long start = System.nanoTime();
        String path = request.getUri().path();
        int slash = path.indexOf('/', 1);
        String app = slash < 0 ? path.substring(Math.min(1, path.length())) : path.substring(1, slash);
        String rest = slash < 0 ? "/" : path.substring(slash);
        if (app.isEmpty()) {
            return CompletableFuture.completedFuture(
                    error(404, "no_app", "the path names no app: use /{app}/...", app));
        }
        List<Endpoint> endpoints = table.endpoints(app);
        if (endpoints.isEmpty()) {
            request.discardEntityBytes(materializer);
            metrics.record(app, 503, System.nanoTime() - start);
            return CompletableFuture.completedFuture(
                    error(503, "no_endpoint", "no live endpoint for app " + app + ": is a plan published?", app));
        }
        Endpoint first = endpoints.get(Math.floorMod(turn(app), endpoints.size()));
        HttpEntity entity = request.entity();
        boolean retryable = IDEMPOTENT.contains(request.method().value())
                && (entity.isKnownEmpty() || entity instanceof HttpEntity.Strict);
        return send(request, first, rest)
                .handle((response, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(response);
                    }
                    Endpoint other = retryable ? another(app, first) : null;
                    if (other == null) {
                        return CompletableFuture.<HttpResponse>failedFuture(failure);
                    }
                    LOG.debug(
                            "edge: {} {} failed on {} ({}), once more on {}",
                            request.method().value(),
                            path,
                            first.url(),
                            failure.toString(),
                            other.url());
                    return send(request, other, rest).toCompletableFuture();
                })
                .thenCompose(f -> f)
                .exceptionally(failure ->
                        error(502, "upstream_failed", "the app's endpoint failed: " + rootMessage(failure), app))
                .thenApply(response -> {
                    metrics.record(app, response.status().intValue(), System.nanoTime() - start);
                    return response.addHeader(stamp.header());
                });
    }

    private CompletionStage<HttpResponse> send(HttpRequest request, Endpoint endpoint, String rest) {
        Uri target = Uri.create(endpoint.url());
        Uri uri = request.getUri()
                .scheme("http")
                .host(target.host().address())
                .port(target.port())
                .path(rest);
        HttpRequest upstream = request.withUri(uri);
        for (var header : request.getHeaders()) {
            if (HOP_BY_HOP.contains(header.lowercaseName())) {
                upstream = upstream.removeHeader(header.name());
            }
        }
        return http.singleRequest(upstream, https, pool, log);
    }

    /** The {@code X-Mycelium-Edge} header, formatted once per millisecond rather than once per request. */
    private static final class Stamp {
        private record Cached(long millis, RawHeader header) {}

        private volatile Cached cached = new Cached(-1, null);

        RawHeader header() {
            long now = System.currentTimeMillis();
            Cached current = cached;
            if (current.millis() != now) {
                current = new Cached(
                        now,
                        RawHeader.create(
                                HEADER,
                                RFC3339.format(OffsetDateTime.ofInstant(
                                        java.time.Instant.ofEpochMilli(now), ZoneOffset.UTC))));
                cached = current;
            }
            return current.header();
        }
    }

    private Endpoint another(String app, Endpoint failed) {
        List<Endpoint> now = table.endpoints(app);
        for (int i = 0; i < now.size(); i++) {
            Endpoint candidate = now.get(Math.floorMod(turn(app), now.size()));
            if (!candidate.url().equals(failed.url())) {
                return candidate;
            }
        }
        return null;
    }

    private int turn(String app) {
        return turns.computeIfAbsent(app, a -> new AtomicInteger()).getAndIncrement();
    }

    static HttpResponse error(int status, String code, String message, String app) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("details", Map.of("app", app));
        try {
            return HttpResponse.create()
                    .withStatus(status)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
