package io.mycelium.exec.policy;

import io.mycelium.api.ApiException;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.identity.PrincipalPatterns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/policies}: the exec policies in force. {@code PUT} replaces them all (body {@code {"policies":
 * [...]}}), {@code DELETE} goes back to the configuration's; both only for principals in {@code
 * mycelium.node.policy-admins}.
 */
public final class PolicyRoutes extends AllDirectives {
    private final ActorRef<PolicyStore.Command> store;
    private final List<String> admins;
    private final Duration timeout;
    private final Scheduler scheduler;

    public PolicyRoutes(
            ActorRef<PolicyStore.Command> store, List<String> admins, Duration timeout, Scheduler scheduler) {
        this.store = store;
        this.admins = List.copyOf(admins);
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    /** The body of {@code PUT /api/v1/policies}. */
    record Replacement(List<ExecPolicy> policies) {}

    public Route routes(Principal principal) {
        return path(
                "policies",
                () -> concat(
                        get(() -> reply(AskPattern.<PolicyStore.Command, PolicySet>ask(
                                        store, PolicyStore.Get::new, timeout, scheduler)
                                .thenApply(set -> Json.response(200, set)))),
                        put(() -> admin(
                                principal,
                                () -> entity(Unmarshaller.entityToString(), text -> {
                                    List<ExecPolicy> policies;
                                    try {
                                        policies = validated(Json.read(text, Replacement.class, Schemas.Type.POLICIES));
                                    } catch (ApiException e) {
                                        return complete(Json.error(e));
                                    }
                                    return reply(AskPattern.<PolicyStore.Command, PolicySet>ask(
                                                    store,
                                                    replyTo -> new PolicyStore.Replace(
                                                            policies, principal.name(), replyTo),
                                                    timeout,
                                                    scheduler)
                                            .thenApply(set -> Json.response(200, set)));
                                }))),
                        delete(() -> admin(
                                principal,
                                () -> reply(AskPattern.<PolicyStore.Command, PolicySet>ask(
                                                store,
                                                replyTo -> new PolicyStore.Reset(principal.name(), replyTo),
                                                timeout,
                                                scheduler)
                                        .thenApply(set -> Json.response(200, set)))))));
    }

    private static List<ExecPolicy> validated(Replacement body) {
        if (body.policies() == null) {
            throw ApiException.badRequest("policies", "policies is required (an empty list denies everything)");
        }
        Set<String> names = new HashSet<>();
        List<ExecPolicy> out = new ArrayList<>();
        for (ExecPolicy p : body.policies()) {
            if (p == null) {
                throw ApiException.badRequest("policies", "policies must not contain null");
            }
            if (!names.add(p.name())) {
                throw ApiException.badRequest("policies", "two policies are named " + p.name());
            }
            out.add(p);
        }
        return out;
    }

    private Route admin(Principal principal, java.util.function.Supplier<Route> inner) {
        if (!PrincipalPatterns.anyMatches(admins, principal.name())) {
            return complete(Json.error(new ApiException(
                    403,
                    "not_a_policy_admin",
                    principal.name() + " may not change policies (mycelium.node.policy-admins)")));
        }
        return inner.get();
    }

    private Route reply(CompletionStage<HttpResponse> response) {
        return completeWithFuture(response.exceptionally(Failures::toResponse));
    }
}
