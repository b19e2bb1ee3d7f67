package io.mycelium.task;

import java.util.Map;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Telemetry events (task submitted, assigned, completed, failed, agent connected, disconnected, alert raised, ...) as
 * log lines of the logger {@code mycelium.telemetry}: with the JSON configuration ({@code conf/logback-json.xml}) each
 * is one JSON object carrying {@code event}, its fields, and the MDC ({@code task_id}, {@code agent_id},
 * {@code module}, ...).
 */
public final class Telemetry {
    private static final Logger LOG = LoggerFactory.getLogger("mycelium.telemetry");

    private Telemetry() {}

    /**
     * Logs {@code event} with {@code mdc} in the MDC for this line and {@code fields} as JSON fields.
     *
     * @param mdc identifiers of what it is about ({@code task_id}, {@code agent_id}, ...); null values left out
     */
    public static void event(String event, Map<String, String> mdc, Map<String, ?> fields) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        mdc.forEach((k, v) -> {
            if (v != null) {
                MDC.put(k, v);
            }
        });
        try {
            LOG.info("{} {}", StructuredArguments.keyValue("event", event), StructuredArguments.entries(fields));
        } finally {
            mdc.keySet().forEach(MDC::remove);
        }
    }
}
