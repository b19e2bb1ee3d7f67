package io.mycelium.wasm;

import io.mycelium.wasm.binary.MalformedModuleException;
import io.mycelium.wasm.binary.ModuleInfo;
import io.mycelium.wasm.binary.ModuleInfo.ExternKind;
import io.mycelium.wasm.binary.ModuleInfo.FuncType;
import io.mycelium.wasm.binary.ModuleInfo.Import;
import io.mycelium.wasm.binary.ModuleInfo.ValueType;
import io.mycelium.wasm.binary.ModuleReader;
import io.mycelium.wasm.capability.Capability;
import io.mycelium.wasm.capability.CapabilityListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.graalvm.polyglot.Engine;

/**
 * The Wasm host: loads modules (checked, parsed once, cached by sha256, each in its own shared engine) and runs them
 * with JSON in and out, inside the limits and capabilities each call gives. A plain library: no actors, no threads but
 * one watchdog; calls run on the caller's thread and block. Thread-safe.
 *
 * <pre>{@code
 * try (WasmRuntime runtime = WasmRuntime.create()) {
 *     WasmModule module = runtime.load(Files.readAllBytes(path));
 *     JsonNode out = module.call(input, CallOptions.defaults().withGrants(Grants.of(kv))).output();
 * }
 * }</pre>
 *
 * <p>Creating one checks once per JVM whether Truffle's optimizing compiler is enabled ({@link CompilerStatus}); when
 * it is not, it logs a warning (or refuses to start, with {@link Builder#requireOptimizingCompiler()}).
 */
public final class WasmRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WasmRuntime.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final String WASI = "wasi_snapshot_preview1";

    private final int maxModules;
    private final WasmLimits validationLimits;
    private final CapabilityListener listener;
    private final Watchdog watchdog;
    private final Map<String, WasmModule> modules;
    private final CompilerStatus compiler;
    private volatile boolean closed;

    private WasmRuntime(Builder b) {
        this.maxModules = b.maxModules;
        this.validationLimits = b.defaultLimits;
        this.listener = b.listener;
        this.compiler = CompilerStatus.current();
        this.watchdog = new Watchdog();
        this.modules = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** A runtime with the defaults: see {@link Builder}. */
    public static WasmRuntime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether Wasm runs compiled here. */
    public CompilerStatus compiler() {
        return compiler;
    }

    /** Loads {@code file}, named after it. */
    public WasmModule load(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        return load(
                Files.readAllBytes(file),
                fileName.endsWith(".wasm") ? fileName.substring(0, fileName.length() - 5) : fileName);
    }

    /** Loads a module named {@code sha256:} and the first 12 hex digits of its digest. */
    public WasmModule load(byte[] wasm) {
        return load(wasm, null);
    }

    /**
     * Loads a module: checks it, parses it in a new engine, and caches it by sha256. Loading the same bytes again
     * returns the cached module (under its first name). The least recently used module beyond {@link
     * Builder#maxModules} is unloaded.
     *
     * @param name a name for messages and stack traces, or null for one made from the digest
     * @throws InvalidModuleException when it is not a module this host runs
     */
    public WasmModule load(byte[] wasm, String name) {
        Objects.requireNonNull(wasm, "wasm");
        ensureOpen();
        String sha256 = sha256(wasm);
        Optional<WasmModule> cached = module(sha256);
        if (cached.isPresent()) {
            return cached.get();
        }
        String label = name != null && !name.isBlank() ? name : "sha256:" + sha256.substring(0, 12);
        ModuleInfo info;
        try {
            info = ModuleReader.read(wasm);
        } catch (MalformedModuleException e) {
            throw new InvalidModuleException(label + " is not a valid WebAssembly module: " + e.getMessage(), e);
        }
        Set<Capability> capabilities = checkImports(label, info);
        // Contexts bring their own streams; nothing of the engine's may reach this JVM's stdout, which is an agent's
        // protocol channel. (The interpreter-only warning is CompilerStatus's job.)
        Engine engine = Engine.newBuilder("wasm")
                .option("engine.WarnInterpreterOnly", "false")
                .out(OutputStream.nullOutputStream())
                .build();
        WasmModule module = new WasmModule(this, sha256, label, wasm.clone(), info, capabilities, engine);
        try {
            module.validate(validationLimits);
        } catch (RuntimeException e) {
            module.closeNow();
            throw e;
        }
        List<WasmModule> evicted = new ArrayList<>();
        WasmModule winner;
        synchronized (modules) {
            winner = modules.putIfAbsent(sha256, module);
            if (winner == null) {
                winner = module;
                var it = modules.values().iterator();
                while (modules.size() > maxModules && it.hasNext()) {
                    WasmModule eldest = it.next();
                    it.remove();
                    evicted.add(eldest);
                }
            }
        }
        if (winner != module) {
            module.closeNow(); // another thread loaded the same bytes first
        }
        evicted.forEach(WasmModule::retire);
        return winner;
    }

    /** The cached module with this sha256 (lower-case hex), if it is loaded: lets a caller send a digest, not bytes. */
    public Optional<WasmModule> module(String sha256) {
        synchronized (modules) {
            return Optional.ofNullable(modules.get(sha256));
        }
    }

    /** The digests of the cached modules, least recently used first. */
    public List<String> loadedModules() {
        synchronized (modules) {
            return List.copyOf(modules.keySet());
        }
    }

    /** Cancels running calls, closes every instance and engine. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<WasmModule> all;
        synchronized (modules) {
            all = new ArrayList<>(modules.values());
            modules.clear();
        }
        all.forEach(WasmModule::closeNow);
        watchdog.close();
    }

    Watchdog watchdog() {
        return watchdog;
    }

    CapabilityListener listener() {
        return listener;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the Wasm runtime is closed");
        }
    }

    /**
     * Deny by default, at load time: only WASI preview1 functions and the capability modules' functions, with their
     * ABI types, may be imported; no memories, tables or globals.
     */
    private static Set<Capability> checkImports(String label, ModuleInfo info) {
        Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        for (Import i : info.imports()) {
            String what = i.module() + "." + i.name();
            if (i.kind() != ExternKind.FUNCTION) {
                throw new InvalidModuleException(
                        label + " imports " + i.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + what
                                + "; the host provides functions only (a module defines its own memory)",
                        null);
            }
            if (i.module().equals(WASI)) {
                continue;
            }
            Capability c = Capability.forImportModule(i.module())
                    .orElseThrow(() -> new InvalidModuleException(
                            label + " imports " + what + "; the host provides only " + WASI
                                    + " and the capability modules " + capabilityModules(),
                            null));
            Integer arity = c.functions().get(i.name());
            if (arity == null) {
                throw new InvalidModuleException(
                        label + " imports " + what + ", which " + c.importModule() + " does not have; it has "
                                + String.join(", ", c.functions().keySet()),
                        null);
            }
            FuncType expected = new FuncType(Collections.nCopies(arity, ValueType.I32), List.of(ValueType.I32));
            FuncType actual = i.typeIndex() < info.types().size() ? info.types().get(i.typeIndex()) : null;
            if (!expected.equals(actual)) {
                throw new InvalidModuleException(
                        label + " imports " + what + " with type " + actual + "; the ABI type is " + expected, null);
            }
            capabilities.add(c);
        }
        if (!capabilities.isEmpty()
                && info.export("memory")
                        .filter(e -> e.kind() == ExternKind.MEMORY)
                        .isEmpty()) {
            throw new InvalidModuleException(
                    label + " imports capabilities but exports no memory named 'memory' for their buffers", null);
        }
        if (info.memories().size() > 1) {
            throw new InvalidModuleException(label + " defines more than one memory", null);
        }
        return capabilities;
    }

    private static String capabilityModules() {
        List<String> names = new ArrayList<>();
        for (Capability c : Capability.values()) {
            names.add(c.importModule());
        }
        return String.join(", ", names);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /** Settings of a runtime. */
    public static final class Builder {
        private int maxModules = 64;
        private WasmLimits defaultLimits = WasmLimits.defaults();
        private CapabilityListener listener = denial -> {};
        private boolean requireCompiler;
        private Consumer<String> interpreterWarning = line -> LOG.log(System.Logger.Level.WARNING, line);

        private Builder() {}

        /** How many modules stay loaded (each has an engine); the least recently used is unloaded. Default 64. */
        public Builder maxModules(int maxModules) {
            if (maxModules < 1) {
                throw new IllegalArgumentException("maxModules must be at least 1: " + maxModules);
            }
            this.maxModules = maxModules;
            return this;
        }

        /**
         * The limits modules are prepared for when loaded (the memory cap decides the rewritten module parsed at
         * load time; calls with another cap parse theirs on first use). Default {@link WasmLimits#defaults()}.
         */
        public Builder defaultLimits(WasmLimits limits) {
            this.defaultLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Told about every denied capability call. */
        public Builder onCapabilityDenied(CapabilityListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Where the warning goes when the optimizing compiler is not enabled (once per JVM): by default a WARNING on
         * the {@code io.mycelium.wasm.WasmRuntime} {@link System.Logger}. A CLI may print it its own way.
         */
        public Builder interpreterWarning(Consumer<String> sink) {
            this.interpreterWarning = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Refuse to start when the optimizing compiler is not enabled, instead of warning. */
        public Builder requireOptimizingCompiler() {
            this.requireCompiler = true;
            return this;
        }

        /**
         * @throws IllegalStateException with {@link #requireOptimizingCompiler()}, when the compiler is not enabled
         */
        public WasmRuntime build() {
            CompilerStatus status = CompilerStatus.current();
            if (!status.optimizing()) {
                if (requireCompiler) {
                    throw new IllegalStateException(status.describe());
                }
                if (WARNED.compareAndSet(false, true)) {
                    interpreterWarning.accept(status.describe());
                }
            }
            return new WasmRuntime(this);
        }
    }
}
