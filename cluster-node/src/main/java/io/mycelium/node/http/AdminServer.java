package io.mycelium.node.http;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.identity.AdminSecurity;
import io.mycelium.api.identity.AuthDirectives;
import io.mycelium.api.ratelimit.ActionRateLimiter;
import io.mycelium.api.ratelimit.RateLimitRoutes;
import io.mycelium.exec.ActiveExecRoutes;
import io.mycelium.exec.ActiveExecutions;
import io.mycelium.exec.AuditRoutes;
import io.mycelium.exec.ExecRoutes;
import io.mycelium.exec.ExecService;
import io.mycelium.exec.InteractiveRoutes;
import io.mycelium.exec.policy.PolicyRoutes;
import io.mycelium.exec.policy.PolicyStore;
import io.mycelium.host.ClusterRoutes;
import io.mycelium.host.HostDirectory;
import io.mycelium.host.HostRoutes;
import io.mycelium.mesh.MeshNode;
import io.mycelium.node.grpc.RemoteExecutionEndpoint;
import io.mycelium.node.journal.JournalAdmin;
import io.mycelium.node.observability.NodeMetrics;
import io.mycelium.task.AgentRoutes;
import io.mycelium.task.TaskRoutes;
import io.mycelium.task.TaskService;
import io.mycelium.task.alert.Alerter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * The admin HTTP server: {@code /api/v1/...} behind authentication, {@code /health} and {@code /ready} open, and
 * the gRPC {@code RemoteExecution} service on the same port (HTTP/2). Every HTTP error is JSON {@code {code, message,
 * details}}, rejections and unexpected exceptions included.
 */
public final class AdminServer extends AllDirectives {
    private final ActorSystem<?> system;
    private final AdminSecurity security;
    private final ExecRoutes exec;
    private final InteractiveRoutes interactive;
    private final RemoteExecutionEndpoint grpc;
    private final HostRoutes hosts;
    private final PolicyRoutes policies;
    private final AuditRoutes audit;
    private final ActiveExecRoutes active;
    private final ClusterRoutes cluster;
    private final SporeRoutes spores;
    private final FabricRoutes fabric;
    private final InstanceRoutes instances;
    private final TaskRoutes tasks;
    private final AgentRoutes agents;
    private final RateLimitRoutes rateLimits;
    private final ActionRateLimiter actionLimiter;
    private final NodeMetrics metrics;
    private final ObservabilityRoutes observability;
    private final JournalRoutes journal;

    /** The server's routes over the node's services. */
    public AdminServer(
            ActorSystem<?> system,
            MeshNode mesh,
            AdminSecurity security,
            ExecService service,
            ActorRef<HostDirectory.Command> hostDirectory,
            ActorRef<PolicyStore.Command> policyStore,
            ActorRef<ActiveExecutions.Command> activeExecutions,
            TaskService taskService,
            ActionRateLimiter actionLimiter,
            NodeMetrics metrics,
            ActorRef<Alerter.Command> alerter,
            JournalAdmin journal,
            List<String> approvers,
            List<String> policyAdmins,
            Duration askTimeout) {
        this.system = system;
        this.security = security;
        this.exec = new ExecRoutes(service, approvers);
        this.interactive = new InteractiveRoutes(service, system);
        this.grpc = new RemoteExecutionEndpoint(service, security.authenticator(), system);
        this.hosts = new HostRoutes(hostDirectory, askTimeout, system.scheduler());
        this.policies = new PolicyRoutes(policyStore, policyAdmins, askTimeout, system.scheduler());
        this.audit = new AuditRoutes(system);
        this.active = new ActiveExecRoutes(activeExecutions, askTimeout, system.scheduler());
        this.cluster = new ClusterRoutes(system, hostDirectory, askTimeout);
        this.spores = new SporeRoutes(
                system,
                mesh.repo(),
                mesh.fetcher(),
                mesh.settings().limits().maxBinaryBytes()
                        + mesh.settings().limits().maxManifestBytes());
        this.fabric = new FabricRoutes(mesh.fabric(), mesh.fetcher());
        this.instances = new InstanceRoutes(system, mesh, askTimeout);
        this.actionLimiter = actionLimiter;
        this.metrics = metrics;
        this.journal = new JournalRoutes(
                journal,
                policyAdmins,
                system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
        this.observability = new ObservabilityRoutes(
                metrics,
                alerter,
                policyAdmins,
                askTimeout,
                system.scheduler(),
                () -> startedEdge(mesh).map(e -> e.metrics().prometheus()).orElse(""),
                () -> java.util.Map.of(
                        "edge",
                        startedEdge(mesh).map(e -> e.metrics().snapshot()).orElse(java.util.Map.of())));
        this.rateLimits = new RateLimitRoutes(actionLimiter, policyAdmins);
        this.tasks = new TaskRoutes(taskService, actionLimiter);
        this.agents = new AgentRoutes(
                system,
                taskService.dispatcher(),
                taskService.sharding(),
                taskService.settings().workerTimeouts(),
                actionLimiter,
                metrics);
    }

    /** Binds to {@code host:port} (port 0 picks a free one). */
    public CompletionStage<ServerBinding> bind(String host, int port) {
        // HTTP/2 carries gRPC; on a plaintext port only when asked (see mycelium.node.http.plaintext-http2).
        boolean http2 = security.tls().isPresent()
                || system.settings().config().getBoolean("mycelium.node.http.plaintext-http2");
        ServerBuilder builder = Http.get(system)
                .newServerAt(host, port)
                .withSettings(AuthDirectives.serverSettings(ServerSettings.create(system.classicSystem()))
                        .withEnableHttp2(http2));
        if (security.tls().isPresent()) {
            builder = builder.enableHttps(security.tls().get().connectionContext());
        }
        return builder.bind(route());
    }

    /** Every route, with JSON errors. */
    public Route route() {
        return handleExceptions(
                ExceptionHandler.newBuilder()
                        .match(Throwable.class, t -> complete(Failures.toResponse(t)))
                        .build(),
                () -> handleRejections(
                        rejections(),
                        () -> concat(
                                path(
                                        "health",
                                        () -> get(
                                                () -> complete(Json.response(200, java.util.Map.of("status", "up"))))),
                                path("ready", () -> get(this::ready)),
                                observability.prometheus(),
                                // gRPC (HTTP/2) calls authenticate themselves and answer with gRPC statuses.
                                pathPrefix(RemoteExecutionEndpoint.PATH_PREFIX, () -> handle(grpc::handle)),
                                pathPrefix("api", () -> mapResponse(this::counted, () -> unlessDraining(this::api))))));
    }

    /** {@code /api/metrics} and {@code /api/v1/...}, behind authentication and the per-IP limit. */
    private Route api() {
        return concat(
                path(
                        "metrics",
                        () -> AuthDirectives.authenticated(
                                security.authenticator(), principal -> observability.summary())),
                pathPrefix(
                        "v1",
                        () -> AuthDirectives.authenticated(
                                security.authenticator(),
                                principal -> limited(() -> concat(
                                        exec.routes(principal),
                                        interactive.routes(principal),
                                        hosts.routes(principal),
                                        policies.routes(principal),
                                        audit.routes(),
                                        active.routes(),
                                        cluster.routes(),
                                        spores.routes(),
                                        fabric.routes(principal),
                                        instances.routes(),
                                        tasks.routes(principal),
                                        agents.routes(principal),
                                        rateLimits.routes(principal),
                                        observability.alerts(principal),
                                        journal.routes(principal))))));
    }

    /** The node's edge once it is serving; empty while it binds, or when it could not (its port taken). */
    private static java.util.Optional<io.mycelium.mesh.edge.Edge> startedEdge(MeshNode mesh) {
        return mesh.edge().toCompletableFuture().getNow(java.util.Optional.empty());
    }

    private org.apache.pekko.http.javadsl.model.HttpResponse counted(
            org.apache.pekko.http.javadsl.model.HttpResponse response) {
        metrics.response(response.status().intValue());
        return response;
    }

    /** The per-IP limit on every API request. */
    private Route limited(Supplier<Route> inner) {
        return extractClientIP(ip -> {
            try {
                actionLimiter.consume(
                        ActionRateLimiter.Action.HTTP,
                        ip.getAddress()
                                .map(java.net.InetAddress::getHostAddress)
                                .orElse("unknown"));
            } catch (RuntimeException e) {
                return complete(Failures.toResponse(e));
            }
            return inner.get();
        });
    }

    private Route ready() {
        if (draining()) {
            return complete(Json.response(503, java.util.Map.of("status", "draining")));
        }
        boolean up = Cluster.get(system).selfMember().status() == MemberStatus.up();
        return complete(Json.response(up ? 200 : 503, java.util.Map.of("status", up ? "ready" : "joining")));
    }

    /**
     * Once the node's coordinated shutdown has begun, the API answers 503 (until the port unbinds; pekko-http then
     * answers requests on connections still open with 503 too), so that clients go to another node.
     */
    private Route unlessDraining(Supplier<Route> inner) {
        return extractRequestContext(request -> draining()
                ? complete(Json.error(new ApiException(
                        503,
                        "unavailable",
                        "this node is shutting down: send the request to another node of the cluster",
                        java.util.Map.of(),
                        Duration.ofSeconds(1))))
                : inner.get());
    }

    private boolean draining() {
        return CoordinatedShutdown.get(system).getShutdownReason().isPresent();
    }

    private static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity().getContentType().mediaType().toString().equals("application/json")) {
                return response;
            }
            String text = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
                    ? strict.getData().utf8String()
                    : response.status().reason();
            int status = response.status().intValue();
            String code = switch (status) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "body_too_large";
                case 415 -> "unsupported_media_type";
                default -> status >= 500 ? "internal" : "invalid_request";
            };
            return Json.error(new ApiException(status, code, text));
        });
    }
}
