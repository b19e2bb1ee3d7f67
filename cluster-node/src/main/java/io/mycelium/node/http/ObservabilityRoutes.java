package io.mycelium.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.api.ApiException;
import io.mycelium.api.Durations;
import io.mycelium.api.Failures;
import io.mycelium.api.Json;
import io.mycelium.api.Schemas;
import io.mycelium.api.identity.Principal;
import io.mycelium.api.identity.PrincipalPatterns;
import io.mycelium.node.observability.NodeMetrics;
import io.mycelium.task.alert.AlertRules;
import io.mycelium.task.alert.Alerter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Metrics and alerts: {@code /metrics} (Prometheus text, open like {@code /health}), {@code /api/metrics} (JSON
 * summary), {@code GET /api/v1/alerts}, and {@code GET|PUT /api/v1/alerts/rules} (changing them needs a principal in
 * {@code mycelium.node.policy-admins}).
 */
final class ObservabilityRoutes extends AllDirectives {
    private final NodeMetrics metrics;
    private final ActorRef<Alerter.Command> alerter;
    private final List<String> admins;
    private final Duration timeout;
    private final Scheduler scheduler;
    private final Supplier<String> morePrometheus;
    private final Supplier<Map<String, Object>> moreSummary;

    /**
     * {@code morePrometheus} and {@code moreSummary} add the counters kept outside the Micrometer registry (the
     * edge's) to {@code /metrics} and {@code /api/metrics}.
     */
    ObservabilityRoutes(
            NodeMetrics metrics,
            ActorRef<Alerter.Command> alerter,
            List<String> admins,
            Duration timeout,
            Scheduler scheduler,
            Supplier<String> morePrometheus,
            Supplier<Map<String, Object>> moreSummary) {
        this.metrics = metrics;
        this.alerter = alerter;
        this.admins = List.copyOf(admins);
        this.timeout = timeout;
        this.scheduler = scheduler;
        this.morePrometheus = morePrometheus;
        this.moreSummary = moreSummary;
    }

    /** {@code /metrics}. */
    Route prometheus() {
        return path(
                "metrics",
                () -> get(() -> complete(HttpResponse.create()
                        .withStatus(200)
                        .withEntity(HttpEntities.create(
                                ContentTypes.TEXT_PLAIN_UTF8, metrics.prometheus() + morePrometheus.get())))));
    }

    /** {@code /api/metrics} (inside {@code /api/metrics}). */
    Route summary() {
        return get(() -> {
            Map<String, Object> summary = new LinkedHashMap<>(metrics.summary());
            summary.putAll(moreSummary.get());
            return complete(Json.response(200, summary));
        });
    }

    /** {@code /api/v1/alerts...} (inside {@code /api/v1}). */
    Route alerts(Principal principal) {
        return pathPrefix(
                "alerts",
                () -> concat(
                        pathEnd(() -> get(() -> reply(AskPattern.<Alerter.Command, Alerter.Alerts>ask(
                                        alerter, Alerter.GetAlerts::new, timeout, scheduler)
                                .thenApply(a -> Json.response(200, a))))),
                        path(
                                "rules",
                                () -> concat(
                                        get(() -> reply(AskPattern.<Alerter.Command, Alerter.Alerts>ask(
                                                        alerter, Alerter.GetAlerts::new, timeout, scheduler)
                                                .thenApply(a -> Json.response(200, a.rules())))),
                                        put(() -> entity(
                                                Unmarshaller.entityToString(), text -> change(principal, text)))))));
    }

    private Route change(Principal principal, String text) {
        if (!PrincipalPatterns.anyMatches(admins, principal.name())) {
            return complete(Json.error(new ApiException(
                    403,
                    "not_a_policy_admin",
                    principal.name() + " may not change alert rules (mycelium.node.policy-admins)")));
        }
        JsonNode body;
        try {
            body = Schemas.checked(Schemas.Type.ALERT_RULES, Json.parse(text));
        } catch (RuntimeException e) {
            return complete(Failures.toResponse(e));
        }
        return reply(AskPattern.<Alerter.Command, Alerter.Alerts>ask(
                        alerter, Alerter.GetAlerts::new, timeout, scheduler)
                .thenCompose(current -> {
                    AlertRules r = current.rules();
                    AlertRules next = new AlertRules(
                            body.has("queueDepth") ? body.get("queueDepth").longValue() : r.queueDepth(),
                            body.has("failuresPerMinute")
                                    ? body.get("failuresPerMinute").longValue()
                                    : r.failuresPerMinute(),
                            body.has("stuckAfter")
                                    ? Durations.parse(body.get("stuckAfter").textValue())
                                    : r.stuckAfter());
                    return AskPattern.<Alerter.Command, Alerter.Alerts>ask(
                            alerter, replyTo -> new Alerter.SetRules(next, replyTo), timeout, scheduler);
                })
                .thenApply(a -> Json.response(200, a.rules())));
    }

    private Route reply(CompletionStage<HttpResponse> response) {
        return completeWithFuture(response.exceptionally(Failures::toResponse));
    }
}
