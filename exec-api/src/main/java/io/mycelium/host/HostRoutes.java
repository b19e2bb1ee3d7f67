package io.mycelium.host;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/** {@code /api/v1/hosts}: register, list, show and remove hosts. */
public final class HostRoutes extends AllDirectives {
    private final ActorRef<HostDirectory.Command> hosts;
    private final Duration timeout;
    private final Scheduler scheduler;

    public HostRoutes(ActorRef<HostDirectory.Command> hosts, Duration timeout, Scheduler scheduler) {
        this.hosts = hosts;
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    public Route routes(Principal principal) {
        return pathPrefix(
                "hosts",
                () -> concat(
                        pathEnd(() -> concat(
                                get(() -> reply(AskPattern.<HostDirectory.Command, HostDirectory.Hosts>ask(
                                                hosts, HostDirectory.ListAll::new, timeout, scheduler)
                                        .thenApply(list -> Json.response(200, list.hosts())))),
                                post(() -> entity(Unmarshaller.entityToString(), text -> {
                                    HostSpec spec;
                                    try {
                                        spec = Json.read(text, HostSpec.class, Schemas.Type.HOST);
                                    } catch (ApiException e) {
                                        return complete(Json.error(e));
                                    }
                                    return reply(status(
                                            replyTo -> new HostDirectory.Register(spec, principal.name(), replyTo),
                                            201,
                                            409));
                                })))),
                        path(
                                PathMatchers.segment(),
                                id -> concat(
                                        get(() ->
                                                reply(status(replyTo -> new HostDirectory.Get(id, replyTo), 200, 404))),
                                        delete(() -> reply(status(
                                                replyTo -> new HostDirectory.Remove(id, principal.name(), replyTo),
                                                200,
                                                409)))))));
    }

    private CompletionStage<HttpResponse> status(
            java.util.function.Function<ActorRef<StatusReply<HostSpec>>, HostDirectory.Command> message,
            int ok,
            int error) {
        return AskPattern.<HostDirectory.Command, StatusReply<HostSpec>>ask(hosts, message::apply, timeout, scheduler)
                .thenApply(reply -> reply.isSuccess()
                        ? Json.response(ok, reply.getValue())
                        : Json.error(new ApiException(
                                error,
                                error == 404 ? "not_found" : "conflict",
                                reply.getError().getMessage())));
    }

    private Route reply(CompletionStage<HttpResponse> response) {
        return completeWithFuture(response.exceptionally(Failures::toResponse));
    }
}
