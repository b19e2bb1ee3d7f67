package io.mycelium.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.wasm.LimitExceededException.Limit;
import io.mycelium.wasm.binary.MalformedModuleException;
import io.mycelium.wasm.binary.MemoryGuard;
import io.mycelium.wasm.binary.ModuleInfo;
import io.mycelium.wasm.binary.ModuleInfo.Export;
import io.mycelium.wasm.binary.ModuleInfo.ExternKind;
import io.mycelium.wasm.binary.ModuleInfo.FuncType;
import io.mycelium.wasm.binary.ModuleInfo.ValueType;
import io.mycelium.wasm.capability.Capability;
import io.mycelium.wasm.capability.Grants;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.io.IOAccess;

/**
 * A loaded module: checked, and parsed once in its own engine so that every instance shares the parsed and compiled
 * code. Obtained from {@link WasmRuntime#load}; cached there by sha256. Thread-safe: calls may run concurrently, each
 * in its own instance.
 *
 * <p>A module is a <em>command</em> when it exports {@code _start} (the call runs it; C's {@code main}) and a
 * <em>reactor</em> otherwise (the call names an export; {@code _initialize} runs first when there is one). Either way
 * the payload is the module's stdin and the result its stdout. An entry point takes no parameters and returns
 * nothing or an i32 status (non-zero is a failure, like an exit status).
 */
public final class WasmModule {
    /** No host access at all; one instance, as GraalVM 25.0.2 fails comparing {@code HostAccess.NONE} to another. */
    private static final HostAccess NO_HOST_ACCESS = HostAccess.newBuilder().build();

    private final WasmRuntime runtime;
    private final String sha256;
    private final String name;
    private final byte[] bytes;
    private final ModuleInfo info;
    private final Set<Capability> capabilities;
    private final Engine engine;
    private final ConcurrentMap<Long, GuardedSource> variants = new ConcurrentHashMap<>();
    private final Set<String> entryPoints = ConcurrentHashMap.newKeySet();
    private final String defaultEntryPoint;
    private final Object lifecycle = new Object();
    private int active;
    private boolean retired;
    private boolean closed;

    /** The module rewritten for one memory cap, as GraalWasm parses it. */
    record GuardedSource(Source source, int growSites) {}

    WasmModule(
            WasmRuntime runtime,
            String sha256,
            String name,
            byte[] bytes,
            ModuleInfo info,
            Set<Capability> capabilities,
            Engine engine) {
        this.runtime = runtime;
        this.sha256 = sha256;
        this.name = name;
        this.bytes = bytes;
        this.info = info;
        this.capabilities = Set.copyOf(capabilities);
        this.engine = engine;
        this.defaultEntryPoint = isCommand() ? "_start" : null;
    }

    /** The sha256 of the module's bytes, lower-case hex: its identity in the runtime's cache. */
    public String sha256() {
        return sha256;
    }

    /** The name given when it was loaded (a file name, or {@code sha256:} and the first 12 hex digits). */
    public String name() {
        return name;
    }

    /** True when it exports {@code _start}. */
    public boolean isCommand() {
        return info.export("_start")
                .filter(e -> e.kind() == ExternKind.FUNCTION)
                .isPresent();
    }

    /** Its function exports. */
    public List<String> exports() {
        return info.functionExports();
    }

    /** The capabilities it imports (whether or not a call grants them). */
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** The linear memory it declares as initial size, in bytes (0 without memory). */
    public long initialMemoryBytes() {
        return info.memories().isEmpty() ? 0 : info.memories().get(0).minPages() * ModuleInfo.PAGE_SIZE;
    }

    /** Calls {@code _start} with {@code input} and the default options. */
    public WasmResult call(JsonNode input) {
        return call(input, CallOptions.defaults());
    }

    /**
     * Runs one call in a fresh instance: nothing is left behind for the next call.
     *
     * @throws WasmException for every failure the module causes (see its subclasses)
     */
    public WasmResult call(JsonNode input, CallOptions options) {
        return run(JsonCodec.write(input), options);
    }

    /**
     * Like {@link #call(JsonNode, CallOptions)} with the payload as bytes, checked to be one JSON value and given to
     * the module as they are.
     *
     * @throws InputNotJsonException when they are not JSON
     */
    public WasmResult callJson(byte[] json, CallOptions options) {
        checkJson(json);
        return run(json, options);
    }

    /**
     * An instance to keep: its memory and globals persist from one call to the next, until {@link
     * WasmInstance#close()}. Runs the start function and a reactor's {@code _initialize} now, within {@code
     * limits.timeout()}. The caller owns the instance and must close it.
     */
    public WasmInstance instantiate(Grants grants, WasmLimits limits) {
        return instantiate(grants, limits, List.of());
    }

    /** {@link #instantiate(Grants, WasmLimits)} with a WASI argv. */
    public WasmInstance instantiate(Grants grants, WasmLimits limits, List<String> arguments) {
        WasmInstance instance = new WasmInstance(this, variant(limits), grants, limits, arguments);
        try {
            instance.open();
            return instance;
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    private WasmResult run(byte[] input, CallOptions options) {
        String entry = entryPoint(options.export());
        WasmInstance instance = new WasmInstance(
                this, variant(options.limits()), options.grants(), options.limits(), options.arguments());
        return instance.runOnce(entry, input);
    }

    static void checkJson(byte[] json) {
        try {
            JsonCodec.parse(json);
        } catch (IOException e) {
            throw new InputNotJsonException("the input is not JSON: " + JsonCodec.reason(e), e);
        }
    }

    /** The export a call runs: {@code export}, or {@code _start} when null; checked to be a JSON entry point. */
    String entryPoint(String export) {
        String known = export == null ? defaultEntryPoint : export;
        if (known != null && entryPoints.contains(known)) {
            return known;
        }
        String checked = checkEntryPoint(export);
        entryPoints.add(checked);
        return checked;
    }

    private String checkEntryPoint(String export) {
        List<String> available = exports();
        if (export == null) {
            if (!isCommand()) {
                throw new MissingExportException(
                        null,
                        name + " is a reactor module (it has no _start): name the export to call; it exports "
                                + available,
                        available);
            }
            export = "_start";
        }
        String wanted = export;
        Export e = info.export(wanted)
                .filter(x -> x.kind() == ExternKind.FUNCTION)
                .orElseThrow(() -> new MissingExportException(
                        wanted, name + " has no function export '" + wanted + "'; it exports " + available, available));
        FuncType type = info.functionType(e.index()).orElseThrow();
        if (!type.params().isEmpty()
                || !(type.results().isEmpty() || type.results().equals(List.of(ValueType.I32)))) {
            throw new MissingExportException(
                    wanted,
                    name + "'s export '" + wanted + "' has type " + type + "; an entry point takes no parameters"
                            + " and returns nothing or an i32 status",
                    available);
        }
        return wanted;
    }

    /** The source for {@code limits}' memory cap, rewritten and parsed once per cap. */
    GuardedSource variant(WasmLimits limits) {
        long cap = limits.maxMemoryPages();
        long initial = info.memories().isEmpty() ? 0 : info.memories().get(0).minPages();
        if (initial > cap) {
            long need = initial * ModuleInfo.PAGE_SIZE;
            throw new LimitExceededException(
                    Limit.MEMORY,
                    limits.maxMemoryBytes(),
                    need,
                    name + " declares " + need + " bytes of initial memory, over its memory limit of "
                            + limits.maxMemoryBytes() + " bytes",
                    "");
        }
        return variants.computeIfAbsent(cap, this::guard);
    }

    private GuardedSource guard(long capPages) {
        try {
            MemoryGuard.Guarded guarded = MemoryGuard.apply(bytes, info, capPages);
            Source source = Source.newBuilder("wasm", ByteSequence.create(guarded.bytes()), sourceName())
                    .cached(true)
                    .buildLiteral();
            return new GuardedSource(source, guarded.growSites());
        } catch (MalformedModuleException e) {
            throw new InvalidModuleException(name + " is not a valid module: " + e.getMessage(), e);
        }
    }

    /** The source name GraalWasm shows in stack traces: the module name without path or extension. */
    private String sourceName() {
        String n = name.startsWith("sha256:") ? "module-" + sha256.substring(0, 12) : name;
        return n.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** Parses the default variant in a throwaway context: GraalWasm's validation, and a warm engine. */
    void validate(WasmLimits limits) {
        GuardedSource source = variant(limits);
        try (Context context = sandbox().build()) {
            context.eval(source.source());
        } catch (PolyglotException e) {
            throw new InvalidModuleException(name + " is not a valid module: " + e.getMessage(), e);
        }
    }

    /**
     * A context builder for this module's engine with the sandbox every context here shares: WASI preview1 with no
     * preopened directories (no {@code wasm.WasiMapDirs}), no file system, environment, host, polyglot, thread,
     * process or native access. Contexts of one engine must agree on these (GraalVM compares their host access).
     */
    Context.Builder sandbox() {
        return Context.newBuilder("wasm")
                .engine(engine)
                .option("wasm.Builtins", "wasi_snapshot_preview1")
                .allowIO(IOAccess.NONE)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowHostAccess(NO_HOST_ACCESS)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false);
    }

    WasmRuntime runtime() {
        return runtime;
    }

    Engine engine() {
        return engine;
    }

    void acquire() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException(
                        name + " was unloaded (its runtime closed, or evicted it from the cache): load it again");
            }
            active++;
        }
    }

    void release() {
        boolean close;
        synchronized (lifecycle) {
            active--;
            close = retired && active == 0 && !closed;
            if (close) {
                closed = true;
            }
        }
        if (close) {
            engine.close(true);
        }
    }

    /** Evicted from the cache: the engine closes once the last instance does. */
    void retire() {
        boolean close;
        synchronized (lifecycle) {
            retired = true;
            close = active == 0 && !closed;
            if (close) {
                closed = true;
            }
        }
        if (close) {
            engine.close(true);
        }
    }

    /** The runtime is closing: cancel whatever runs and close the engine now. */
    void closeNow() {
        synchronized (lifecycle) {
            retired = true;
            closed = true;
        }
        engine.close(true);
    }

    @Override
    public String toString() {
        return name + " (sha256 " + sha256 + ")";
    }
}
