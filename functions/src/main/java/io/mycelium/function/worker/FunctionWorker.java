package io.mycelium.function.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.function.JsonFunction;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The process an agent runs for {@code Context.callJson}: it loads the functions named on its command line, then
 * serves calls framed by {@link Frames} on stdin and answers each on stdout, until stdin ends.
 *
 * <p>Arguments: {@code [--threads N] NAME=CLASS...}. Frames in: {@code {"type":"call","id":N,"function":NAME,
 * "input":JSON}}. Frames out: first {@code {"type":"ready","protocol":1,"java":...,"functions":[...]}}, then for each
 * call {@code {"type":"result","id":N,"output":JSON}} or {@code {"type":"error","id":N,"code":C,"message":...,
 * "exception":{"class":...,"message":...,"stack":[...],"cause":{...}}}} with C one of {@code THREW}, {@code
 * NOT_LOADED}, {@code BAD_REQUEST}, {@code INTERNAL}.
 *
 * <p>Exit status: 0 when stdin ended, 2 on a framing error (after an {@code error} frame with id 0).
 */
public final class FunctionWorker {
    /** Version of the worker protocol, in the {@code ready} frame. */
    static final int PROTOCOL = 1;

    /** Causes kept per error: enough for any real chain, bounded against a cycle. */
    private static final int MAX_CAUSES = 16;

    private final Map<String, JsonFunction> functions = new HashMap<>();
    private final Map<String, String> loadErrors = new HashMap<>();
    private final Frames frames;
    private final PrintStream log;

    FunctionWorker(Map<String, String> classes, Frames frames, PrintStream log) {
        this.frames = frames;
        this.log = log;
        classes.forEach(this::load);
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        int threads = 4;
        Map<String, String> classes = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads") && i + 1 < args.length) {
                threads = Integer.parseInt(args[++i]);
            } else {
                int eq = args[i].indexOf('=');
                if (eq <= 0) {
                    System.err.println("mycelium-function-worker: expected NAME=CLASS, got " + args[i]);
                    System.exit(64);
                }
                classes.put(args[i].substring(0, eq), args[i].substring(eq + 1));
            }
        }
        // The frames own fd 1: whatever a function prints to System.out goes to stderr instead.
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        PrintStream log = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(log);
        Frames frames = new Frames(new FileInputStream(FileDescriptor.in), stdout);
        System.exit(new FunctionWorker(classes, frames, log).serve(Math.max(1, threads)));
    }

    private void load(String name, String className) {
        try {
            Class<?> type = Class.forName(className, true, FunctionWorker.class.getClassLoader());
            Object instance = type.getConstructor().newInstance();
            if (!(instance instanceof JsonFunction function)) {
                loadErrors.put(name, className + " does not implement " + JsonFunction.class.getName());
                return;
            }
            if (!name.equals(function.name())) {
                loadErrors.put(name, className + " is named '" + function.name() + "' here, not '" + name + "'");
                return;
            }
            functions.put(name, function);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            loadErrors.put(name, "cannot load " + className + ": " + e);
        }
    }

    /** Serves until stdin ends; returns the exit status. */
    int serve(int threads) throws IOException {
        ObjectNode ready = Frames.JSON
                .createObjectNode()
                .put("type", "ready")
                .put("protocol", PROTOCOL)
                .put("java", Runtime.version().toString());
        ArrayNode names = ready.putArray("functions");
        functions.keySet().stream().sorted().forEach(names::add);
        frames.write(ready);
        ExecutorService calls = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "mycelium-function-call");
            thread.setDaemon(true);
            return thread;
        });
        try {
            while (true) {
                ObjectNode frame;
                try {
                    frame = frames.read();
                } catch (IOException e) {
                    frames.write(error(0, "BAD_REQUEST", "bad frame: " + e.getMessage()));
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
                // Running calls may still answer; the controller's end of stdin is its request to stop.
                calls.awaitTermination(30, TimeUnit.SECONDS);
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
        } catch (RuntimeException e) {
            e.printStackTrace(log);
            reply = error(id, "INTERNAL", "the worker failed: " + e);
        }
        try {
            frames.write(reply);
        } catch (IOException e) {
            log.println("mycelium-function-worker: cannot answer call " + id + ": " + e.getMessage());
            if (!"error".equals(reply.path("type").asText())) {
                try {
                    frames.write(error(id, "INTERNAL", "cannot send the result: " + e.getMessage()));
                } catch (IOException again) {
                    log.println("mycelium-function-worker: cannot answer call " + id + " at all");
                }
            }
        }
    }

    private ObjectNode call(long id, ObjectNode request) {
        if (!"call".equals(request.path("type").asText())) {
            return error(
                    id,
                    "BAD_REQUEST",
                    "unknown frame type '" + request.path("type").asText() + "'");
        }
        String name = request.path("function").asText();
        JsonFunction function = functions.get(name);
        if (function == null) {
            String why = loadErrors.getOrDefault(name, "no function '" + name + "' is registered in this worker");
            return error(id, "NOT_LOADED", why);
        }
        JsonNode input = request.get("input");
        if (input == null) {
            return error(id, "BAD_REQUEST", "a call needs an input");
        }
        JsonNode output;
        try {
            output = function.apply(input);
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            ObjectNode reply = error(id, "THREW", String.valueOf(e.getMessage()));
            reply.set("exception", describe(e, 0, new IdentityHashMap<>()));
            return reply;
        }
        ObjectNode reply = Frames.JSON.createObjectNode().put("type", "result").put("id", id);
        reply.set("output", output == null ? NullNode.getInstance() : output);
        return reply;
    }

    /** An exception as JSON: class, message, stack frames and its cause, recursively. */
    private static ObjectNode describe(Throwable e, int depth, Map<Throwable, Boolean> seen) {
        seen.put(e, Boolean.TRUE);
        ObjectNode node =
                Frames.JSON.createObjectNode().put("class", e.getClass().getName());
        if (e.getMessage() != null) {
            node.put("message", e.getMessage());
        }
        ArrayNode stack = node.putArray("stack");
        for (StackTraceElement frame : e.getStackTrace()) {
            ObjectNode f = stack.addObject()
                    .put("class", frame.getClassName())
                    .put("method", frame.getMethodName())
                    .put("line", frame.getLineNumber());
            if (frame.getFileName() != null) {
                f.put("file", frame.getFileName());
            }
        }
        Throwable cause = e.getCause();
        if (cause != null && depth + 1 < MAX_CAUSES && !seen.containsKey(cause)) {
            node.set("cause", describe(cause, depth + 1, seen));
        }
        return node;
    }

    private static ObjectNode error(long id, String code, String message) {
        return Frames.JSON
                .createObjectNode()
                .put("type", "error")
                .put("id", id)
                .put("code", code)
                .put("message", message);
    }
}
