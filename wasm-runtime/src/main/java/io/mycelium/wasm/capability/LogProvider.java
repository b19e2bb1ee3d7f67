package io.mycelium.wasm.capability;

/** The {@link Capability#LOG} capability: log lines attributed to the module. */
public non-sealed interface LogProvider extends CapabilityProvider {
    /** Logs {@code message} (at most 8 KiB; longer ones arrive truncated) at {@code level}. */
    void log(LogLevel level, String message);

    @Override
    default Capability capability() {
        return Capability.LOG;
    }

    /** Log levels; the guest passes the ordinal (0 trace ... 4 error). */
    enum LogLevel {
        TRACE,
        DEBUG,
        INFO,
        WARN,
        ERROR
    }
}
