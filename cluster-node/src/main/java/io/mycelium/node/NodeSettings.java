package io.mycelium.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.mycelium.api.ratelimit.RateLimits;
import io.mycelium.exec.policy.ExecPolicy;
import io.mycelium.host.HostSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's settings, from {@code mycelium.node}. Hosts and policies are written in the configuration exactly as
 * in the API's JSON (camelCase fields), so that one form serves both.
 *
 * @param httpInterface the admin API's bind address
 * @param httpPort the admin API's port
 * @param hosts the configured hosts
 * @param policies the configured exec policies, in evaluation order
 * @param defaultLimits every principal's rate limits unless overridden
 * @param principalLimits rate limits of named principals
 * @param approvers principal patterns allowed to approve or deny pending requests
 * @param policyAdmins principal patterns allowed to replace the policies
 * @param contextIdleTimeout a host's context passivates after this long without a run
 */
public record NodeSettings(
        String httpInterface,
        int httpPort,
        List<HostSpec> hosts,
        List<ExecPolicy> policies,
        RateLimits defaultLimits,
        Map<String, RateLimits> principalLimits,
        List<String> approvers,
        List<String> policyAdmins,
        Duration contextIdleTimeout) {

    private static final ObjectMapper CONFIG_JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    /** Reads {@code mycelium.node}; an invalid host or policy fails with the entry's position and the reason. */
    public static NodeSettings fromConfig(Config root) {
        Config c = root.getConfig("mycelium.node");
        List<HostSpec> hosts = list(c, "hosts", HostSpec.class);
        List<ExecPolicy> policies = list(c, "policies", ExecPolicy.class);
        Map<String, RateLimits> perPrincipal = new HashMap<>();
        Config overrides = c.getConfig("rate-limits.principals");
        for (String key : overrides.root().keySet()) {
            perPrincipal.put(
                    key,
                    RateLimits.fromConfig(
                            overrides.getConfig("\"" + key + "\"").withFallback(c.getConfig("rate-limits.default"))));
        }
        return new NodeSettings(
                c.getString("http.interface"),
                c.getInt("http.port"),
                hosts,
                policies,
                RateLimits.fromConfig(c.getConfig("rate-limits.default")),
                Map.copyOf(perPrincipal),
                c.getStringList("exec.approvers"),
                c.getStringList("policy-admins"),
                c.getDuration("context-idle-timeout"));
    }

    /** The limits of one principal. */
    public RateLimits limitsFor(String principal) {
        return principalLimits.getOrDefault(principal, defaultLimits);
    }

    private static <T> List<T> list(Config c, String path, Class<T> type) {
        List<T> out = new ArrayList<>();
        var entries = c.getList(path);
        for (int i = 0; i < entries.size(); i++) {
            String json = entries.get(i).render(ConfigRenderOptions.concise());
            try {
                out.add(CONFIG_JSON.readValue(json, type));
            } catch (Exception e) {
                Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
                throw new IllegalArgumentException(
                        "mycelium.node." + path + "[" + i + "] is invalid: " + cause.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }
}
