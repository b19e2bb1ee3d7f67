package io.mycelium.exec;

import io.mycelium.api.ApiException;
import io.mycelium.api.RateLimitedException;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.ratelimit.PrincipalRateLimiter;
import io.mycelium.exec.audit.SecretRedactor;
import io.mycelium.exec.policy.PolicyDecision;
import io.mycelium.exec.policy.PolicyEvaluator;
import io.mycelium.exec.policy.PolicyRequest;
import io.mycelium.exec.policy.PolicySet;
import io.mycelium.exec.policy.PolicyStore;
import io.mycelium.host.HostContext;
import io.mycelium.host.HostDirectory;
import io.mycelium.host.HostSpec;
import io.mycelium.host.RunSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Runs exec requests the governed way, on the node that serves the client: rate limit, host lookup, policy
 * decision, the decision recorded by the {@link Execution} (waiting for an approver when the policy says so), then
 * the process started on the host's {@link HostContext}, its output streamed back.
 */
public final class ExecService {
    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final ActorRef<HostDirectory.Command> hosts;
    private final ActorRef<PolicyStore.Command> policies;
    private final PrincipalRateLimiter limiter;
    private final ExecSettings settings;

    /** The service over the node's entities and singletons. */
    public ExecService(
            ActorSystem<?> system,
            ClusterSharding sharding,
            ActorRef<HostDirectory.Command> hosts,
            ActorRef<PolicyStore.Command> policies,
            PrincipalRateLimiter limiter,
            ExecSettings settings) {
        this.system = system;
        this.sharding = sharding;
        this.hosts = hosts;
        this.policies = policies;
        this.limiter = limiter;
        this.settings = settings;
    }

    /**
     * A started execution: its status when it started, its output (start, chunks, then an exit or a failure), and
     * the stdin sink of an interactive one (else null).
     */
    public record Started(ExecStatus status, Source<OutputChunk, NotUsed> output, SinkRef<ByteString> stdin) {}

    /**
     * Starts a request: completes with the started execution, or fails with an {@link ApiException} (429 over the rate
     * limit, 404 unknown host, 403 denied, 409 id conflict, ...).
     */
    public CompletionStage<Started> start(ExecRequest request, Principal principal, String clientIp) {
        return start(request, principal, clientIp, Terminal.DEFAULT);
    }

    /** {@link #start(ExecRequest, Principal, String)} with the terminal size of a {@code tty} request. */
    public CompletionStage<Started> start(
            ExecRequest request, Principal principal, String clientIp, Terminal terminal) {
        if (request.requestedBy() != null && !request.requestedBy().equals(principal.name())) {
            return CompletableFuture.failedFuture(ApiException.badRequest(
                    "requestedBy",
                    "requestedBy is " + request.requestedBy() + " but the request was authenticated as "
                            + principal.name()));
        }
        return limiter.acquire(principal.name())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(rateLimited(e)))
                .thenCompose(permit -> decideAndRun(request, principal, clientIp, terminal)
                        .handle((started, failure) -> {
                            if (failure != null) {
                                permit.release();
                                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
                            }
                            return new Started(
                                    started.status(),
                                    started.output().watchTermination((m, done) -> {
                                        done.whenComplete((d, f) -> permit.release());
                                        return m;
                                    }),
                                    started.stdin());
                        }));
    }

    private static Throwable rateLimited(Throwable e) {
        Throwable cause = e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
        if (cause instanceof RateLimitedException r) {
            return new ApiException(429, "rate_limited", r.getMessage(), Map.of(), r.retryAfter());
        }
        return cause;
    }

    private CompletionStage<Started> decideAndRun(
            ExecRequest request, Principal principal, String clientIp, Terminal terminal) {
        CompletionStage<HostSpec> host = host(request.agentId());
        CompletionStage<PolicySet> policySet =
                AskPattern.ask(policies, PolicyStore.Get::new, settings.askTimeout(), system.scheduler());
        return host.thenCombine(policySet, (h, p) -> Map.entry(h, p)).thenCompose(hp -> {
            HostSpec spec = hp.getKey();
            PolicyDecision decision = PolicyEvaluator.decide(
                    hp.getValue().policies(),
                    new PolicyRequest(
                            principal.name(),
                            spec.labels(),
                            request.command(),
                            request.user(),
                            request.workDir(),
                            request.timeout(),
                            request.environment(),
                            request.interactive(),
                            request.tty()));
            Execution.ExecRequested requested = new Execution.ExecRequested(
                    request.id(),
                    request.agentId(),
                    SecretRedactor.command(request.command()),
                    request.workDir(),
                    request.user(),
                    request.timeout(),
                    request.interactive(),
                    request.tty(),
                    principal.name(),
                    clientIp,
                    request.requestTime(),
                    Instant.now());
            var execution = sharding.entityRefFor(Execution.TYPE, request.id());
            return execution
                    .<Execution.Decision>ask(
                            replyTo -> new Execution.Submit(requested, decision, replyTo), settings.askTimeout())
                    .thenCompose(d -> d instanceof Execution.PendingApproval
                            ? awaitApproval(request.id(), principal)
                            : CompletableFuture.completedFuture(d))
                    .thenCompose(d -> switch (d) {
                        case Execution.Authorized a -> run(request, spec, a, terminal);
                        case Execution.Refused r -> CompletableFuture.failedFuture(refusal(r));
                        case Execution.PendingApproval p ->
                            CompletableFuture.failedFuture(new IllegalStateException("still pending after waiting"));
                    });
        });
    }

    private CompletionStage<Execution.Decision> awaitApproval(String id, Principal principal) {
        var execution = sharding.entityRefFor(Execution.TYPE, id);
        return execution
                .<Execution.Decision>ask(Execution.AwaitDecision::new, settings.approvalTimeout())
                .exceptionallyCompose(e -> {
                    if (!(unwrap(e) instanceof TimeoutException)) {
                        return CompletableFuture.failedFuture(e);
                    }
                    // Nobody decided in time: the request ends here instead of running later with nobody waiting.
                    return execution
                            .<StatusReply<ExecStatus>>ask(
                                    replyTo -> new Execution.Cancel("approval timeout", replyTo), settings.askTimeout())
                            .thenCompose(ignored -> CompletableFuture.failedFuture(new ApiException(
                                    408,
                                    "approval_timeout",
                                    "no approver decided on execution " + id + " within "
                                            + settings.approvalTimeout().toSeconds() + " s; it was cancelled",
                                    Map.of("id", id),
                                    null)));
                });
    }

    private CompletionStage<Started> run(
            ExecRequest request, HostSpec host, Execution.Authorized authorized, Terminal terminal) {
        PolicyDecision.Allowed allowed = authorized.allowed();
        List<String> command = allowed.limits().wrap(request.command());
        if (request.user() != null) {
            List<String> asUser = new ArrayList<>(List.of("sudo", "-n", "-u", request.user(), "--"));
            asUser.addAll(command);
            command = asUser;
        }
        if (request.tty()) {
            command = terminal.wrap(command);
        }
        RunSpec spec = new RunSpec(
                command,
                allowed.environment(),
                request.workDir(),
                request.stdin(),
                request.interactive(),
                allowed.timeout());
        return sharding.entityRefFor(HostContext.TYPE, host.id())
                .<HostContext.RunReply>ask(
                        replyTo -> new HostContext.Run(request.id(), host, spec, replyTo), settings.askTimeout())
                .exceptionallyCompose(e -> {
                    // The run never reached a context: close the execution instead of leaving it authorized.
                    sharding.entityRefFor(Execution.TYPE, request.id())
                            .tell(new Execution.RunFailed(
                                    "context_unreachable",
                                    "the context of " + host.id() + " did not answer: "
                                            + unwrap(e).getMessage(),
                                    Instant.now()));
                    return CompletableFuture.failedFuture(new ApiException(
                            503,
                            "context_unreachable",
                            "the context of host " + host.id() + " did not answer in time",
                            Map.of("agentId", host.id()),
                            Duration.ofSeconds(1)));
                })
                .thenCompose(reply -> switch (reply) {
                    case HostContext.Running r ->
                        CompletableFuture.completedFuture(new Started(
                                authorized.status(), lossToChunk(r.output().getSource(), host), r.stdin()));
                    case HostContext.Refused r ->
                        CompletableFuture.failedFuture(new ApiException(409, r.code(), r.message()));
                });
    }

    /**
     * The output as the client sees it when the context's node dies or leaves mid-run: a final {@code connection_lost}
     * chunk instead of a failed stream (the execution's facts are closed by its probe, see {@link Execution}).
     */
    private static Source<OutputChunk, NotUsed> lossToChunk(Source<OutputChunk, NotUsed> output, HostSpec host) {
        return output.recover(new PFBuilder<Throwable, OutputChunk>()
                .match(
                        Throwable.class,
                        t -> new OutputChunk.Failed(
                                "connection_lost",
                                "the output of the process on " + host.id()
                                        + " stopped arriving: the node that holds the host's context left or died ("
                                        + t.getMessage() + ")"))
                .build());
    }

    private static ApiException refusal(Execution.Refused r) {
        Map<String, Object> details = new HashMap<>();
        details.put("id", r.status().id());
        if (r.status().policy() != null) {
            details.put("policy", r.status().policy());
        }
        return switch (r.code()) {
            case "denied" ->
                new ApiException(
                        403, "denied", "denied by policy " + r.status().policy() + ": " + r.message(), details, null);
            case "conflict" -> new ApiException(409, "conflict", r.message(), details, null);
            case "cancelled" -> new ApiException(409, "cancelled", r.message(), details, null);
            default -> new ApiException(409, r.code(), r.message(), details, null);
        };
    }

    /** The registered host, or a 404. */
    public CompletionStage<HostSpec> host(String id) {
        return AskPattern.<HostDirectory.Command, StatusReply<HostSpec>>ask(
                        hosts, replyTo -> new HostDirectory.Get(id, replyTo), settings.askTimeout(), system.scheduler())
                .thenApply(reply -> {
                    if (reply.isError()) {
                        throw ApiException.notFound("no host is registered as " + id + " (see GET /api/v1/hosts)");
                    }
                    return reply.getValue();
                });
    }

    /** Runs a request and collects a bounded tail of its output: the unary API. */
    public CompletionStage<ExecResponse> execute(ExecRequest request, Principal principal, String clientIp) {
        return execute(request, principal, clientIp, Terminal.DEFAULT);
    }

    /** {@link #execute(ExecRequest, Principal, String)} with the terminal size of a {@code tty} request. */
    public CompletionStage<ExecResponse> execute(
            ExecRequest request, Principal principal, String clientIp, Terminal terminal) {
        return start(request, principal, clientIp, terminal)
                .thenCompose(started -> collect(started, settings.outputTailBytes()));
    }

    /** Reads a started execution's output to its end, keeping the last {@code tailBytes} of stdout and of stderr. */
    public CompletionStage<ExecResponse> collect(Started started, int tailBytes) {
        OutputTail out = new OutputTail(tailBytes);
        OutputTail err = new OutputTail(tailBytes);
        ExecStatus status = started.status();
        Instant[] times = new Instant[2];
        return started.output()
                .runFold(
                        (OutputChunk) null,
                        (last, chunk) -> {
                            switch (chunk) {
                                case OutputChunk.Started s -> times[0] = Instant.now();
                                case OutputChunk.Stdout o -> out.append(o.bytes());
                                case OutputChunk.Stderr e -> err.append(e.bytes());
                                default -> {}
                            }
                            return chunk instanceof OutputChunk.Stdout || chunk instanceof OutputChunk.Stderr
                                    ? last
                                    : chunk;
                        },
                        system)
                .thenApply(last -> {
                    times[1] = Instant.now();
                    Outcome outcome = new Outcome(status, out, err, times[0], times[1]);
                    return switch (last) {
                        case OutputChunk.Exited x ->
                            outcome.response(x.exitCode(), x.signal(), x.duration(), x.timedOut(), false, null);
                        case OutputChunk.Failed f ->
                            outcome.response(
                                    null,
                                    0,
                                    null,
                                    false,
                                    f.code().equals("cancelled"),
                                    Map.of("code", f.code(), "message", f.message()));
                        case null, default ->
                            outcome.response(
                                    null,
                                    0,
                                    null,
                                    false,
                                    false,
                                    Map.of("code", "connection_lost", "message", "the output ended without an exit"));
                    };
                });
    }

    /** What every unary answer carries whatever the ending: the request, the output tails, the times. */
    private record Outcome(ExecStatus status, OutputTail out, OutputTail err, Instant start, Instant end) {
        ExecResponse response(
                Integer exitCode,
                int signal,
                java.time.Duration duration,
                boolean timedOut,
                boolean cancelled,
                Map<String, String> error) {
            byte[] o = out.bytes();
            byte[] e = err.bytes();
            String ot = OutputTail.textOrNull(o);
            String et = OutputTail.textOrNull(e);
            return new ExecResponse(
                    status.id(),
                    status.agentId(),
                    exitCode,
                    signal,
                    ot,
                    OutputTail.base64OrNull(o, ot),
                    et,
                    OutputTail.base64OrNull(e, et),
                    out.truncated() || err.truncated(),
                    start,
                    end,
                    duration,
                    timedOut,
                    cancelled,
                    error);
        }
    }

    /** The status from the execution's facts, or a 404. */
    public CompletionStage<ExecStatus> status(String id) {
        return sharding.entityRefFor(Execution.TYPE, id)
                .<StatusReply<ExecStatus>>ask(Execution.GetStatus::new, settings.askTimeout())
                .thenApply(reply -> {
                    if (reply.isError()) {
                        throw ApiException.notFound(reply.getError().getMessage());
                    }
                    return reply.getValue();
                });
    }

    /** Cancels an execution; 404 when unknown, 409 when it already ended. */
    public CompletionStage<ExecStatus> cancel(String id, Principal by) {
        return askKnown(id, replyTo -> new Execution.Cancel(by.name(), replyTo), "already_ended");
    }

    /** An approver's decision on a pending execution. */
    public CompletionStage<ExecStatus> decide(String id, boolean approve, String reason, Principal approver) {
        return askKnown(id, replyTo -> new Execution.Decide(approve, approver.name(), reason, replyTo), "not_pending");
    }

    /** Asks a known execution (404 otherwise); an error reply is a 409 with {@code conflict} as its code. */
    private CompletionStage<ExecStatus> askKnown(
            String id,
            java.util.function.Function<ActorRef<StatusReply<ExecStatus>>, Execution.Command> command,
            String conflict) {
        return status(id)
                .thenCompose(s -> sharding.entityRefFor(Execution.TYPE, id)
                        .<StatusReply<ExecStatus>>ask(command::apply, settings.askTimeout())
                        .thenApply(reply -> {
                            if (reply.isError()) {
                                throw new ApiException(
                                        409, conflict, reply.getError().getMessage());
                            }
                            return reply.getValue();
                        }));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e;
    }
}
