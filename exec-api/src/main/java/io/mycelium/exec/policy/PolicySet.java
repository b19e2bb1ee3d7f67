package io.mycelium.exec.policy;

import io.mycelium.journal.KryoSerializable;
import java.time.Instant;
import java.util.List;

/**
 * The policies in force.
 *
 * @param policies in evaluation order
 * @param source {@code config} or {@code api}
 * @param version increases with every replacement or reset
 * @param updatedAt when the API last replaced them; null while the configuration's hold
 * @param updatedBy who replaced them; null while the configuration's hold
 */
public record PolicySet(List<ExecPolicy> policies, String source, long version, Instant updatedAt, String updatedBy)
        implements KryoSerializable {}
