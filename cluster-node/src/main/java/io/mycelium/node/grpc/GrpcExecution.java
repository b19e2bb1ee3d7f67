package io.mycelium.node.grpc;

import io.mycelium.api.ApiException;
import io.mycelium.api.identity.Principal;
import io.mycelium.exec.ExecService;
import io.mycelium.node.grpc.v1.ExecEvent;
import io.mycelium.node.grpc.v1.ExecId;
import io.mycelium.node.grpc.v1.ExecRequest;
import io.mycelium.node.grpc.v1.ExecResponse;
import io.mycelium.node.grpc.v1.ExecStatusReply;
import io.mycelium.node.grpc.v1.InteractiveInput;
import io.mycelium.node.grpc.v1.RemoteExecution;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code RemoteExecution} for one call's principal: every method goes through {@link ExecService}, as the HTTP API
 * does (rate limit, policy, approval, facts, audit).
 */
final class GrpcExecution implements RemoteExecution {
    private final ExecService service;
    private final Principal principal;
    private final String clientIp;
    private final ActorSystem<?> system;

    GrpcExecution(ExecService service, Principal principal, String clientIp, ActorSystem<?> system) {
        this.service = service;
        this.principal = principal;
        this.clientIp = clientIp;
        this.system = system;
    }

    @Override
    public CompletionStage<ExecResponse> execute(ExecRequest in) {
        return parsed(in, false)
                .thenCompose(r -> service.execute(r, principal, clientIp, GrpcMessages.terminal(in)))
                .thenApply(GrpcMessages::response);
    }

    @Override
    public Source<ExecEvent, NotUsed> executeStream(ExecRequest in) {
        return events(
                parsed(in, false).thenCompose(r -> service.start(r, principal, clientIp, GrpcMessages.terminal(in))));
    }

    @Override
    public Source<ExecEvent, NotUsed> executeInteractive(Source<InteractiveInput, NotUsed> in) {
        return in.prefixAndTail(1).flatMapConcat(first -> {
            if (first.first().isEmpty() || !first.first().get(0).hasRequest()) {
                return Source.failed(
                        ApiException.badRequest(null, "the first input must be the request; stdin follows it"));
            }
            ExecRequest request = first.first().get(0).getRequest();
            CompletionStage<ExecService.Started> started = parsed(request, true)
                    .thenCompose(r -> service.start(r, principal, clientIp, GrpcMessages.terminal(request)));
            // The tail of a prefixAndTail must be materialized at once; it waits here until the process has a stdin.
            first.second()
                    .map(GrpcExecution::stdin)
                    .filter(b -> !b.isEmpty())
                    .runWith(
                            Sink.completionStageSink(
                                    started.thenApply(s -> s.stdin().getSink())),
                            system);
            return events(started);
        });
    }

    private static ByteString stdin(InteractiveInput input) {
        if (!input.hasStdin()) {
            throw ApiException.badRequest(null, "only the first input is a request; the rest are stdin");
        }
        return ByteString.fromArrayUnsafe(input.getStdin().toByteArray());
    }

    @Override
    public CompletionStage<ExecStatusReply> cancel(ExecId in) {
        return service.cancel(in.getId(), principal).thenApply(GrpcMessages::status);
    }

    @Override
    public CompletionStage<ExecStatusReply> status(ExecId in) {
        return service.status(in.getId()).thenApply(GrpcMessages::status);
    }

    private static CompletionStage<io.mycelium.exec.ExecRequest> parsed(ExecRequest in, boolean interactive) {
        try {
            return CompletableFuture.completedFuture(GrpcMessages.request(in, interactive));
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Source<ExecEvent, NotUsed> events(CompletionStage<ExecService.Started> started) {
        return Source.completionStageSource(started.thenApply(s -> s.output().map(GrpcMessages::event)))
                .mapMaterializedValue(m -> NotUsed.getInstance());
    }
}
