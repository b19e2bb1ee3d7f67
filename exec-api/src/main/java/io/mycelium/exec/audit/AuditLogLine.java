package io.mycelium.exec.audit;

import static net.logstash.logback.argument.StructuredArguments.kv;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit records to the logger {@code mycelium.audit} with every field as a structured argument, so that the
 * JSON encoder (logstash-logback-encoder, see {@code conf/logback-json.xml}) emits one JSON object per record.
 */
public final class AuditLogLine {
    private static final Logger AUDIT = LoggerFactory.getLogger("mycelium.audit");

    private AuditLogLine() {}

    /** Logs one record at INFO. */
    public static void write(ExecAuditLog log) {
        AUDIT.info(
                "exec {} {} by {} on {}",
                kv("execId", log.id()),
                kv("outcome", log.outcome()),
                kv("requestedBy", log.requestedBy()),
                kv("agentId", log.agentId()),
                kv("command", log.command()),
                kv("exitCode", log.exitCode()),
                kv("startTime", log.startTime() == null ? null : log.startTime().toString()),
                kv("durationMs", log.duration() == null ? null : log.duration().toMillis()),
                kv("clientIp", log.clientIp()),
                kv("authorized", log.authorized()),
                kv("policyApplied", log.policyApplied()),
                kv("reason", log.reason()));
    }
}
