package io.mycelium.mesh.fabric;

import io.mycelium.journal.KryoSerializable;

/**
 * What an app may use on each node agent: at most {@code maxInstances} processes, each limited to {@code memoryMb}
 * MiB of address space and {@code cpuMilli} thousandths of a core (0: no limit).
 */
public record Budget(String app, int maxInstances, int cpuMilli, int memoryMb) implements KryoSerializable {
    /** Checks every field. */
    public Budget {
        Names.checkApp(app);
        if (maxInstances < 0 || cpuMilli < 0 || memoryMb < 0) {
            throw new IllegalArgumentException("maxInstances, cpuMilli and memoryMb are 0 or more");
        }
    }
}
