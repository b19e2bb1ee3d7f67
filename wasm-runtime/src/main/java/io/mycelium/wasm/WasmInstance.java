package io.mycelium.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.wasm.LimitExceededException.Limit;
import io.mycelium.wasm.binary.MemoryGuard;
import io.mycelium.wasm.binary.ModuleInfo;
import io.mycelium.wasm.capability.Grants;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * One instance of a module in its own polyglot context: its memory and globals live as long as it does. {@link
 * WasmModule#call} makes one per call and closes it; {@link WasmModule#instantiate} hands one to a caller that wants
 * state kept between calls on purpose.
 *
 * <p>The sandbox: WASI preview1 with no preopened directories, no environment variables, no arguments but the
 * caller's, no host access, threads, processes or native access; stdin is the call's payload, stdout and stderr are
 * captured. The only other imports are the capability modules, dispatched to the granted providers.
 *
 * <p>Calls on one instance run one at a time. An instance stays usable after a trap or a denied capability; after a
 * limit is exceeded or the module exits it is closed, as its state can no longer be trusted.
 */
public final class WasmInstance implements AutoCloseable {
    private static final int STDERR_CAPTURE = 64 * 1024;
    private static final int OUTPUT_EXCERPT = 1024;
    /** The most Wasm frames a trap keeps (a stack overflow has thousands). */
    private static final int MAX_FRAMES = 64;

    private final WasmModule module;
    private final WasmLimits limits;
    private final Context context;
    private final SwitchableInput stdin = new SwitchableInput();
    private final BoundedOutput stdout;
    private final BoundedOutput stderr = new BoundedOutput(STDERR_CAPTURE, null);
    private final CapabilityImports imports;
    private final WasmModule.GuardedSource source;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Object callLock = new Object();
    private volatile CallGuard current;
    private volatile String closedBecause;
    private Value exports;
    private Value memory;
    private final Map<String, Value> entryPoints = new HashMap<>();

    WasmInstance(
            WasmModule module, WasmModule.GuardedSource source, Grants grants, WasmLimits limits, List<String> args) {
        this.module = module;
        this.limits = limits;
        this.source = source;
        this.stdout = new BoundedOutput(limits.maxOutputBytes(), this::outputExceeded);
        this.imports = new CapabilityImports(
                module.sha256(),
                module.name(),
                module.capabilities(),
                grants,
                module.runtime().listener());
        module.acquire();
        try {
            this.context = module.sandbox()
                    .in(stdin)
                    .out(stdout)
                    .err(stderr)
                    .arguments("wasm", args.toArray(String[]::new))
                    .build();
        } catch (RuntimeException e) {
            module.release();
            throw e;
        }
    }

    /** Instantiates within the limits' time: runs the module's start function and a reactor's {@code _initialize}. */
    void open() {
        guarded(() -> {
            instantiate();
            return 0;
        });
    }

    /** Instantiates, calls {@code export} with {@code input} on stdin, and closes: the one-shot path. */
    WasmResult runOnce(String export, byte[] input) {
        long start = System.nanoTime();
        try {
            synchronized (callLock) {
                stdin.set(input);
                int status = guarded(() -> {
                    instantiate();
                    return invoke(export);
                });
                return result(status, start);
            }
        } finally {
            close();
        }
    }

    /**
     * Calls {@code export} with {@code input} on stdin, under this instance's limits.
     *
     * @param export the function to call, or null for {@code _start}
     * @throws IllegalStateException when the instance is closed
     */
    public WasmResult call(String export, JsonNode input) {
        return run(module.entryPoint(export), JsonCodec.write(input));
    }

    /**
     * Calls {@code export} with {@code json}, checked to be one JSON value, on stdin.
     *
     * @throws InputNotJsonException when it is not
     */
    public WasmResult callJson(String export, byte[] json) {
        String entry = module.entryPoint(export);
        WasmModule.checkJson(json);
        return run(entry, json);
    }

    private WasmResult run(String entry, byte[] json) {
        synchronized (callLock) {
            ensureOpen();
            long start = System.nanoTime();
            stdin.set(json);
            stdout.reset();
            stderr.reset();
            int status = guarded(() -> invoke(entry));
            return result(status, start);
        }
    }

    /** The module this is an instance of. */
    public WasmModule module() {
        return module;
    }

    /** Whether calls can still be made. */
    public boolean isOpen() {
        return closedBecause == null;
    }

    /** Closes the instance, cancelling a call that is running. Idempotent. */
    @Override
    public void close() {
        markClosed("it was closed");
        try {
            context.close(true);
        } catch (PolyglotException | IllegalStateException e) {
            // Closing a context the module exited, or one being cancelled: nothing left to release.
        }
        if (released.compareAndSet(false, true)) {
            module.release();
        }
    }

    private void ensureOpen() {
        String why = closedBecause;
        if (why != null) {
            throw new IllegalStateException("this instance of " + module.name() + " is closed: " + why);
        }
    }

    private void markClosed(String why) {
        if (closedBecause == null) {
            closedBecause = why;
        }
    }

    private void instantiate() {
        Value parsed = context.eval(source.source());
        Value instance;
        try {
            instance = parsed.newInstance(imports.importObject());
        } catch (PolyglotException e) {
            if (e.isGuestException()
                    && !e.isExit()
                    && !e.isCancelled()
                    && guestFrames(e).isEmpty()) {
                throw new InvalidModuleException(
                        module.name() + " cannot be instantiated: " + e.getMessage() + " (an import the host"
                                + " does not provide?)",
                        e);
            }
            throw e;
        }
        exports = instance.getMember("exports");
        memory = exports.hasMember("memory") ? exports.getMember("memory") : null;
        imports.bind(memory);
        if (!module.isCommand() && exports.hasMember("_initialize")) {
            Value init = exports.getMember("_initialize");
            if (init.canExecute()) {
                init.execute();
            }
        }
    }

    /** Runs {@code export}; its status: 0, the proc_exit status, or the i32 a reactor export returned. */
    private int invoke(String export) {
        try {
            Value result =
                    entryPoints.computeIfAbsent(export, exports::getMember).execute();
            return result.isNumber() && result.fitsInInt() ? result.asInt() : 0;
        } catch (PolyglotException e) {
            if (e.isExit()) {
                markClosed("the module exited with status " + e.getExitStatus());
                return e.getExitStatus();
            }
            throw e;
        }
    }

    /**
     * Runs {@code body} under the time limit: a watchdog closes the context when it runs out. Turns engine failures
     * into {@link WasmException}s.
     */
    private int guarded(Supplier<Integer> body) {
        ensureOpen();
        CallGuard guard = new CallGuard();
        current = guard;
        Watchdog watchdog = module.runtime().watchdog();
        Watchdog.Watch watch = watchdog.watch(limits.timeout(), () -> exceed(guard, Limit.TIME));
        try {
            int status = body.get();
            if (!guard.finish()) {
                throw limitExceeded(guard.limit());
            }
            return status;
        } catch (PolyglotException e) {
            guard.finish();
            throw translate(e, guard);
        } catch (CapabilityDeniedException e) {
            throw e.withStderr(stderr.text(STDERR_CAPTURE));
        } finally {
            watchdog.done(watch);
            current = null;
        }
    }

    private void outputExceeded() {
        CallGuard guard = current;
        if (guard != null) {
            exceed(guard, Limit.OUTPUT);
        }
    }

    /** Marks {@code guard}'s call as over {@code limit} and cancels it, unless it already finished. */
    private void exceed(CallGuard guard, Limit limit) {
        if (guard.exceed(limit)) {
            markClosed("its call exceeded the " + limit.name().toLowerCase(java.util.Locale.ROOT) + " limit");
            // Not on this thread: the output limit trips inside the guest's own write, and close(true) waits for
            // the guest to leave the context.
            Thread.ofVirtual().name("mycelium-wasm-cancel").start(() -> {
                try {
                    context.close(true);
                } catch (RuntimeException ignored) {
                    // Already closed, or closing on another path.
                }
            });
        }
    }

    private RuntimeException translate(PolyglotException e, CallGuard guard) {
        if (guard.limit() != null) {
            return limitExceeded(guard.limit());
        }
        String err = stderr.text(STDERR_CAPTURE);
        if (e.isCancelled()) {
            markClosed("it was closed during a call");
            return new IllegalStateException(
                    "the call to " + module.name() + " was cancelled: its instance or runtime was closed", e);
        }
        if (e.isExit()) {
            markClosed("the module exited with status " + e.getExitStatus());
            return new ModuleExitedException(module.name(), e.getExitStatus(), stdout.text(STDERR_CAPTURE), err);
        }
        if (e.isHostException()) {
            Throwable host = e.asHostException();
            if (host instanceof CapabilityDeniedException denied) {
                return denied.withStderr(err);
            }
            if (host instanceof WasmException w) {
                return w;
            }
            return new IllegalStateException("host error during the call to " + module.name() + ": " + host, host);
        }
        if (e.isInternalError()) {
            return new IllegalStateException("the Wasm engine failed running " + module.name() + ": " + e, e);
        }
        long requested = memoryRequest();
        if (requested > 0) {
            markClosed("its call exceeded the memory limit");
            long limit = limits.maxMemoryPages() * ModuleInfo.PAGE_SIZE;
            return new LimitExceededException(
                    Limit.MEMORY,
                    limit,
                    requested * ModuleInfo.PAGE_SIZE,
                    module.name() + " exceeded its memory limit: it asked for " + mib(requested * ModuleInfo.PAGE_SIZE)
                            + " of linear memory, the limit is " + mib(limit),
                    err);
        }
        return new WasmTrapException(module.name(), e.getMessage(), guestFrames(e), err, e);
    }

    private LimitExceededException limitExceeded(Limit limit) {
        String err = stderr.text(STDERR_CAPTURE);
        return switch (limit) {
            case TIME ->
                new LimitExceededException(
                        Limit.TIME,
                        limits.timeout().toMillis(),
                        -1,
                        module.name() + " exceeded its time limit of " + describe(limits.timeout())
                                + " and was stopped",
                        err);
            case OUTPUT ->
                new LimitExceededException(
                        Limit.OUTPUT,
                        limits.maxOutputBytes(),
                        stdout.total(),
                        module.name() + " exceeded its output limit: it wrote more than " + limits.maxOutputBytes()
                                + " bytes on stdout",
                        err);
            case MEMORY ->
                new LimitExceededException(
                        Limit.MEMORY, limits.maxMemoryBytes(), -1, module.name() + " exceeded its memory limit", err);
        };
    }

    private WasmResult result(int status, long startNanos) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        byte[] out = stdout.toByteArray();
        String err = stderr.text(STDERR_CAPTURE);
        if (status != 0) {
            throw new ModuleExitedException(module.name(), status, stdout.text(STDERR_CAPTURE), err);
        }
        JsonNode json;
        try {
            json = JsonCodec.parse(out);
        } catch (IOException e) {
            throw new OutputNotJsonException(
                    module.name() + " did not write one JSON value on stdout: " + JsonCodec.reason(e),
                    stdout.text(OUTPUT_EXCERPT),
                    err,
                    e);
        }
        return new WasmResult(json, err, elapsed, memoryBytes());
    }

    /** The current size of the linear memory; 0 without one, or once the module exited. */
    private long memoryBytes() {
        if (memory == null || !isOpen()) {
            return 0;
        }
        try {
            return memory.hasBufferElements() ? memory.getBufferSize() : 0;
        } catch (PolyglotException e) {
            return 0;
        }
    }

    /** The pages a refused {@code memory.grow} asked for, from the guard's global; 0 when none was refused. */
    private long memoryRequest() {
        if (source.growSites() == 0 || exports == null) {
            return 0;
        }
        try {
            Value global = exports.getMember(MemoryGuard.REQUEST_EXPORT);
            return global == null ? 0 : global.getMember("value").asLong();
        } catch (PolyglotException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /**
     * The Wasm frames of {@code e}, innermost first: the function name (from the module's name section, else {@code
     * wasm-function:N}), with {@code (file:line)} when DWARF debug information gave a source position.
     */
    private List<String> guestFrames(PolyglotException e) {
        String binary = source.source().getName();
        List<String> frames = new ArrayList<>();
        int more = 0;
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            if (!f.isGuestFrame() || f.getRootName() == null || f.getRootName().startsWith("wasm-function-interop")) {
                continue;
            }
            if (frames.size() == MAX_FRAMES) {
                more++;
                continue;
            }
            var at = f.getSourceLocation();
            boolean positioned = at != null && !at.getSource().getName().equals(binary);
            frames.add(f.getRootName()
                    + (positioned ? " (" + at.getSource().getName() + ":" + at.getStartLine() + ")" : ""));
        }
        if (more > 0) {
            frames.add("... " + more + " more");
        }
        return frames;
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String mib(long bytes) {
        return bytes % (1 << 20) == 0
                ? (bytes >> 20) + " MiB"
                : String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / (double) (1 << 20));
    }

    /** The outcome of one guarded call: running, finished, or stopped for a limit; decided once, by whoever is first. */
    private static final class CallGuard {
        private static final Object FINISHED = new Object();

        private final AtomicReference<Object> outcome = new AtomicReference<>();

        /** Claims the outcome for {@code limit}; false when the call already finished or another limit won. */
        boolean exceed(Limit limit) {
            return outcome.compareAndSet(null, limit);
        }

        /** True when the call finished before any limit; false when a limit won. */
        boolean finish() {
            return outcome.compareAndSet(null, FINISHED) || outcome.get() == FINISHED;
        }

        /** The limit that stopped the call, or null. */
        Limit limit() {
            return outcome.get() instanceof Limit l ? l : null;
        }
    }
}
