package io.mycelium.node.grpc;

import io.grpc.Status;
import io.mycelium.api.identity.AuthDirectives;
import io.mycelium.api.identity.AuthenticationRequiredException;
import io.mycelium.api.identity.Authenticator;
import io.mycelium.api.identity.Principal;
import io.mycelium.exec.ExecService;
import io.mycelium.node.grpc.v1.RemoteExecution;
import io.mycelium.node.grpc.v1.RemoteExecutionHandlerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The gRPC service {@code mycelium.exec.v1.RemoteExecution} on the admin port (HTTP/2, beside the HTTP/1.1 API).
 * Each call is authenticated by the admin API's rules (SPIFFE client certificate, bearer token in the {@code
 * authorization} metadata, local user on loopback) and served by a {@link GrpcExecution} bound to its principal.
 */
public final class RemoteExecutionEndpoint {
    /** The path prefix of the service's calls: {@code /mycelium.exec.v1.RemoteExecution/Method}. */
    public static final String PATH_PREFIX = RemoteExecution.name;

    private final ExecService service;
    private final Authenticator authenticator;
    private final ActorSystem<?> system;
    private final Materializer materializer;

    /** The endpoint over the node's exec service. */
    public RemoteExecutionEndpoint(ExecService service, Authenticator authenticator, ActorSystem<?> system) {
        this.service = service;
        this.authenticator = authenticator;
        this.system = system;
        this.materializer = Materializer.matFromSystem(system);
    }

    /**
     * Serves one gRPC request: authenticates it, then runs the called method for its principal. Failures become gRPC
     * statuses; the {@code throws} is the generated handler's function type's.
     */
    public CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception {
        RemoteExecution implementation;
        try {
            Principal principal = AuthDirectives.principal(authenticator, request);
            implementation = new GrpcExecution(service, principal, clientIp(request), system);
        } catch (AuthenticationRequiredException e) {
            implementation = new Unauthenticated(e.getMessage());
        }
        return RemoteExecutionHandlerFactory.partial(
                        implementation,
                        PATH_PREFIX,
                        materializer,
                        actorSystem -> GrpcErrors::trailers,
                        system.classicSystem())
                .apply(request);
    }

    private static String clientIp(HttpRequest request) {
        return request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress)
                .map(java.net.InetAddress::getHostAddress)
                .orElse("unknown");
    }

    /** Every call fails with UNAUTHENTICATED, saying why. */
    private record Unauthenticated(String reason) implements RemoteExecution {
        private GrpcServiceException failure() {
            return new GrpcServiceException(Status.UNAUTHENTICATED.withDescription(reason));
        }

        @Override
        public CompletionStage<io.mycelium.node.grpc.v1.ExecResponse> execute(io.mycelium.node.grpc.v1.ExecRequest in) {
            return CompletableFuture.failedFuture(failure());
        }

        @Override
        public Source<io.mycelium.node.grpc.v1.ExecEvent, NotUsed> executeStream(
                io.mycelium.node.grpc.v1.ExecRequest in) {
            return Source.failed(failure());
        }

        @Override
        public Source<io.mycelium.node.grpc.v1.ExecEvent, NotUsed> executeInteractive(
                Source<io.mycelium.node.grpc.v1.InteractiveInput, NotUsed> in) {
            return Source.failed(failure());
        }

        @Override
        public CompletionStage<io.mycelium.node.grpc.v1.ExecStatusReply> cancel(io.mycelium.node.grpc.v1.ExecId in) {
            return CompletableFuture.failedFuture(failure());
        }

        @Override
        public CompletionStage<io.mycelium.node.grpc.v1.ExecStatusReply> status(io.mycelium.node.grpc.v1.ExecId in) {
            return CompletableFuture.failedFuture(failure());
        }
    }
}
