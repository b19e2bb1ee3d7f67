package io.mycelium.wasm.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.wasm.CallOptions;
import io.mycelium.wasm.CapabilityDeniedException;
import io.mycelium.wasm.CompilerStatus;
import io.mycelium.wasm.LimitExceededException;
import io.mycelium.wasm.ModuleExitedException;
import io.mycelium.wasm.WasmException;
import io.mycelium.wasm.WasmLimits;
import io.mycelium.wasm.WasmModule;
import io.mycelium.wasm.WasmResult;
import io.mycelium.wasm.WasmRuntime;
import io.mycelium.wasm.WasmTrapException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The process an agent runs for {@code Context.callWasm}: it serves calls framed by {@link WorkerFrames} on stdin and
 * answers each on stdout, until stdin ends. Modules stay loaded by sha256, so a controller sends a module's bytes once
 * per worker and its compiled code is reused by every later call. Calls run concurrently on {@code --threads N}
 * threads (default 2); each runs in a fresh instance, so no state passes between calls.
 *
 * <p>Exit status: 0 when stdin ended, 2 on a framing error (after an {@code error} frame with id 0).
 */
public final class WasmWorker {
    /** Version of the worker protocol, in the {@code ready} frame. */
    static final int PROTOCOL = 1;

    private final WasmRuntime runtime;
    private final WorkerFrames frames;
    private final PrintStream log;

    WasmWorker(WasmRuntime runtime, WorkerFrames frames, PrintStream log) {
        this.runtime = runtime;
        this.frames = frames;
        this.log = log;
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        int threads = args.length == 2 && args[0].equals("--threads") ? Integer.parseInt(args[1]) : 2;
        // The frames own fd 1: whatever else would print to System.out (a library) goes to stderr instead.
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        PrintStream log = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(log);
        WorkerFrames frames = new WorkerFrames(new FileInputStream(FileDescriptor.in), stdout);
        try (WasmRuntime runtime = WasmRuntime.builder()
                .interpreterWarning(line -> log.println("mycelium-wasm-worker: warning: " + line))
                .onCapabilityDenied(denial -> log.println("mycelium-wasm-worker: capability denied: " + denial))
                .build()) {
            System.exit(new WasmWorker(runtime, frames, log).serve(Math.max(1, threads)));
        }
    }

    /** Serves until stdin ends; returns the exit status. */
    int serve(int threads) throws IOException {
        CompilerStatus compiler = runtime.compiler();
        ObjectNode ready = WorkerFrames.object()
                .put("type", "ready")
                .put("protocol", PROTOCOL)
                .put("java", Runtime.version().toString())
                .put("optimizing", compiler.optimizing())
                .put("compiler", compiler.describe());
        frames.write(ready);
        ExecutorService calls = Executors.newFixedThreadPool(
                threads, Thread.ofPlatform().name("wasm-call-", 1).daemon(true).factory());
        try {
            while (true) {
                ObjectNode frame;
                try {
                    frame = frames.read();
                } catch (IOException e) {
                    frames.write(error(0, "PROTOCOL", "bad frame: " + e.getMessage()));
                    return 2;
                }
                if (frame == null) {
                    return 0;
                }
                calls.execute(() -> answer(frame));
            }
        } finally {
            calls.shutdown();
            try {
                // Every call is bounded by its own timeout; this only lets the running ones answer.
                calls.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void answer(ObjectNode request) {
        long id = request.path("id").asLong(0);
        ObjectNode reply;
        try {
            reply = call(id, request);
        } catch (BadRequest e) {
            reply = error(id, "BAD_REQUEST", e.getMessage());
        } catch (WasmException e) {
            reply = failure(id, e);
        } catch (RuntimeException e) {
            e.printStackTrace(log);
            reply = error(id, "INTERNAL", "the worker failed: " + e);
        }
        try {
            frames.write(reply);
        } catch (IOException e) {
            log.println("mycelium-wasm-worker: cannot answer call " + id + ": " + e.getMessage());
        }
    }

    private ObjectNode call(long id, ObjectNode request) {
        if (!"call".equals(request.path("type").asText())) {
            throw new BadRequest("unknown frame type '" + request.path("type").asText() + "'");
        }
        String sha256 = request.path("sha256").asText();
        WasmModule module;
        if (request.hasNonNull("module")) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(request.get("module").asText());
            } catch (IllegalArgumentException e) {
                throw new BadRequest("module is not base64: " + e.getMessage());
            }
            module = runtime.load(bytes, request.path("name").asText(null));
            if (!module.sha256().equals(sha256)) {
                throw new BadRequest("the module's sha256 is " + module.sha256() + ", the request says " + sha256);
            }
        } else {
            module = runtime.module(sha256).orElse(null);
            if (module == null) {
                return error(id, "MODULE_NOT_LOADED", "no module with sha256 " + sha256 + " is loaded here");
            }
        }
        JsonNode input = request.get("input");
        if (input == null) {
            throw new BadRequest("a call needs an input");
        }
        WasmLimits limits = WasmLimits.defaults();
        try {
            if (request.has("timeoutMillis")) {
                limits = limits.withTimeout(
                        Duration.ofMillis(request.get("timeoutMillis").asLong()));
            }
            if (request.has("maxMemoryBytes")) {
                limits = limits.withMaxMemoryBytes(request.get("maxMemoryBytes").asLong());
            }
            if (request.has("maxOutputBytes")) {
                limits = limits.withMaxOutputBytes(request.get("maxOutputBytes").asLong());
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
        CallOptions options = CallOptions.defaults()
                .withLimits(limits)
                .withExport(request.path("export").asText(null))
                .withArguments(List.of(module.name()));
        byte[] json;
        try {
            json = WorkerFrames.bytes(input);
        } catch (IOException e) {
            throw new BadRequest("input cannot be written as JSON: " + e.getMessage());
        }
        WasmResult result = module.callJson(json, options);
        ObjectNode reply = WorkerFrames.object().put("type", "result").put("id", id);
        reply.set("output", result.output());
        return reply.put("stderr", result.stderr())
                .put("elapsedNanos", result.elapsed().toNanos())
                .put("memoryBytes", result.memoryBytes());
    }

    private static ObjectNode failure(long id, WasmException e) {
        ObjectNode reply = error(id, e.code().name(), e.getMessage()).put("stderr", e.stderr());
        switch (e) {
            case LimitExceededException x ->
                reply.put("limit", x.limit().name()).put("allowed", x.allowed()).put("attempted", x.attempted());
            case WasmTrapException x -> x.wasmStack().forEach(reply.putArray("wasmStack")::add);
            case CapabilityDeniedException x ->
                reply.put("capability", x.capability().shortName()).put("function", x.function());
            case ModuleExitedException x -> reply.put("exitCode", x.exitCode()).put("stdout", x.stdout());
            default -> {}
        }
        return reply;
    }

    private static ObjectNode error(long id, String code, String message) {
        return WorkerFrames.object()
                .put("type", "error")
                .put("id", id)
                .put("code", code)
                .put("message", message);
    }

    /** A request the worker cannot make sense of. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}
