package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.Context;
import io.mycelium.Mycelium;
import io.mycelium.WasmCall;
import io.mycelium.WasmCallException;
import io.mycelium.wasm.CallOptions;
import io.mycelium.wasm.CapabilityDeniedException;
import io.mycelium.wasm.InputNotJsonException;
import io.mycelium.wasm.InvalidModuleException;
import io.mycelium.wasm.LimitExceededException;
import io.mycelium.wasm.MissingExportException;
import io.mycelium.wasm.ModuleExitedException;
import io.mycelium.wasm.OutputNotJsonException;
import io.mycelium.wasm.WasmException;
import io.mycelium.wasm.WasmLimits;
import io.mycelium.wasm.WasmModule;
import io.mycelium.wasm.WasmResult;
import io.mycelium.wasm.WasmRuntime;
import io.mycelium.wasm.WasmTrapException;
import io.mycelium.wasm.capability.Capability;
import io.mycelium.wasm.capability.Grants;
import io.mycelium.wasm.capability.LogProvider;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mycelium wasm}: WebAssembly modules with JSON in and out (wasm-runtime). */
@Command(
        name = "wasm",
        description = "Run WebAssembly modules: WASI preview1, a JSON payload on stdin, the JSON result on stdout.",
        mixinStandardHelpOptions = true,
        subcommands = {WasmCommand.Run.class})
final class WasmCommand {
    static final int INPUT_NOT_JSON = 120;
    static final int OUTPUT_NOT_JSON = 121;
    static final int CAPABILITY_DENIED = 122;
    static final int TRAPPED = 123;
    static final int TIMED_OUT = ExecCommand.TIMED_OUT;
    static final int OVER_LIMIT = 126;
    static final int CANNOT_START = ErrorReporter.CANNOT_START;

    private WasmCommand() {}

    /**
     * {@code mycelium wasm run}: runs one module here, sandboxed, within limits. The module's stderr is passed
     * through; its stdout must be one JSON value, printed on one line. A failure is one line on stderr and an exit
     * code of its own.
     */
    @Command(
            name = "run",
            description = {
                "Run MODULE.wasm once with stdin as its JSON input; print its JSON result.",
                "Here in this JVM by default; with --host (or --local) in a worker the agent runs there, the Wasm"
                        + " runtime shipped and cached like the agent (the host needs no Java).",
                "The module gets no files, network or environment: only its stdin, argv (the module's file name and"
                        + " ARGs) and the capabilities granted. Command modules run _start; name a reactor's"
                        + " function with --export."
            },
            mixinStandardHelpOptions = true,
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                "0:success: the JSON result is on stdout",
                "1-119:the module exited with this status (its stdout and stderr are passed through)",
                "120:the input on stdin is not JSON",
                "121:the module's output is not JSON",
                "122:the module called a capability that was not granted",
                "123:the module trapped (the Wasm stack is printed with --verbose)",
                "124:the module ran past --timeout and was stopped",
                "125:Mycelium itself failed (reading the module, I/O)",
                "126:the module exceeded --memory or --max-output",
                "127:the module is not valid, or has no such export"
            })
    static final class Run implements Callable<Integer> {
        @Mixin
        Verbosity verbosity;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Target.Choice where;

        @Mixin
        Target.Ssh ssh;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "Stop the module after this long (e.g. 500ms, 30s, 5m; default 10s).")
        String timeout;

        @Option(
                names = "--memory",
                paramLabel = "BYTES",
                description = "The most linear memory the module may have: bytes, or with K, M or G (default 64M).")
        String memory;

        @Option(
                names = "--max-output",
                paramLabel = "BYTES",
                description = "The most the module may write on stdout: bytes, or with K, M or G (default 4M).")
        String maxOutput;

        @Option(
                names = {"-e", "--export"},
                paramLabel = "NAME",
                description = "The function to call, for reactor modules (default: _start).")
        String export;

        @Option(
                names = "--grant",
                paramLabel = "CAPABILITY",
                description = "Grant a capability. Here only 'log' (its lines go to stderr); kv, http and messaging"
                        + " need the providers of a Mycelium node.")
        List<String> grants = List.of();

        @Parameters(index = "0", paramLabel = "MODULE.wasm", description = "The module to run.")
        Path module;

        @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the module's argv.")
        List<String> arguments = List.of();

        @Override
        public Integer call() throws IOException {
            PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
            CallOptions options = options(err);
            byte[] input;
            try (InputStream in = new FileInputStream(FileDescriptor.in)) {
                input = in.readAllBytes();
            }
            if (where != null) {
                return runThere(options, input, out, err);
            }
            try (WasmRuntime runtime = WasmRuntime.builder()
                    .interpreterWarning(line -> err.println("mycelium: warning: " + line))
                    .build()) {
                WasmModule loaded;
                try {
                    loaded = runtime.load(module);
                } catch (NoSuchFileException e) {
                    throw new IOException("cannot read " + module + ": no such file", e);
                } catch (IOException e) {
                    throw new IOException("cannot read " + module + ": " + e.getMessage(), e);
                }
                WasmResult result = loaded.callJson(input, options);
                err.print(result.stderr());
                out.println(result.output());
                out.flush();
                if (verbosity.verbose) {
                    err.printf(
                            Locale.ROOT,
                            "mycelium: %s ran in %.1f ms, %d KiB of linear memory (%s)%n",
                            loaded.name(),
                            result.elapsed().toNanos() / 1e6,
                            result.memoryBytes() / 1024,
                            runtime.compiler().describe());
                }
                return 0;
            } catch (WasmException e) {
                return report(e, out, err);
            }
        }

        /** Runs the call through a context's worker (Context.callWasm) and maps its failures like a local call's. */
        private int runThere(CallOptions options, byte[] input, PrintStream out, PrintStream err) throws IOException {
            if (!grants.isEmpty() || !arguments.isEmpty()) {
                throw new IllegalArgumentException("--grant and module arguments work only without --host/--local:"
                        + " remote calls get no capabilities and only the module's name as argv");
            }
            JsonNode json;
            try {
                json = JSON.readTree(input);
            } catch (IOException e) {
                json = null;
            }
            if (json == null || json.isMissingNode()) {
                err.println("mycelium: the input on stdin is not JSON");
                return INPUT_NOT_JSON;
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(module);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot read " + module + ": no such file", e);
            }
            WasmLimits limits = options.limits();
            WasmCall call = WasmCall.of(bytes, json)
                    .withExport(options.export())
                    .withTimeout(limits.timeout())
                    .withMaxMemoryBytes(limits.maxMemoryBytes())
                    .withMaxOutputBytes(limits.maxOutputBytes());
            try (Mycelium mycelium = Mycelium.standalone()) {
                Context context = mycelium.open(ssh.session(where));
                JsonNode result = context.callWasm(call).toCompletableFuture().get();
                out.println(JSON.writeValueAsString(result));
                out.flush();
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WasmCallException failed) {
                    return report(failed, err);
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r; // the common handler prints connection and agent failures
                }
                throw new IOException(e.getCause());
            }
        }

        private int report(WasmCallException e, PrintStream err) {
            err.print(e.stderr().isEmpty() || e.stderr().endsWith("\n") ? e.stderr() : e.stderr() + "\n");
            err.println("mycelium: " + e.getMessage());
            if (verbosity.verbose) {
                err.println("  failure: " + e.failure());
                e.wasmStack().forEach(frame -> err.println((frame.startsWith("...") ? "  " : "  at ") + frame));
            }
            return switch (e.failure()) {
                case EXITED -> e.exitCode();
                case INPUT_NOT_JSON -> INPUT_NOT_JSON;
                case OUTPUT_NOT_JSON -> OUTPUT_NOT_JSON;
                case CAPABILITY_DENIED -> CAPABILITY_DENIED;
                case TRAP -> TRAPPED;
                case LIMIT_EXCEEDED -> e.limit().filter("TIME"::equals).isPresent() ? TIMED_OUT : OVER_LIMIT;
                case INVALID_MODULE, MISSING_EXPORT -> CANNOT_START;
                case RUNTIME_UNAVAILABLE, WORKER_FAILED -> ErrorReporter.MYCELIUM_FAILED;
            };
        }

        private CallOptions options(PrintStream err) {
            WasmLimits limits = WasmLimits.defaults();
            if (timeout != null) {
                limits = limits.withTimeout(Durations.parse(timeout));
            }
            if (memory != null) {
                long n = bytes("--memory", memory);
                if (n < 65_536 || n > WasmLimits.MAX_MEMORY_BYTES) {
                    throw new IllegalArgumentException("--memory must be between 64K (one page) and 4G: " + memory);
                }
                limits = limits.withMaxMemoryBytes(n);
            }
            if (maxOutput != null) {
                long n = bytes("--max-output", maxOutput);
                if (n > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("--max-output must be under 2G: " + maxOutput);
                }
                limits = limits.withMaxOutputBytes(n);
            }
            Grants granted = Grants.none();
            for (String name : grants) {
                Capability c = Capability.forName(name)
                        .orElseThrow(() -> new IllegalArgumentException(
                                "--grant: no capability '" + name + "' (there are kv, http, messaging, log)"));
                if (c != Capability.LOG) {
                    throw new IllegalArgumentException("--grant " + c.shortName() + ": only 'log' can be granted on"
                            + " the command line; " + c.shortName() + " needs the providers of a Mycelium node");
                }
                if (!granted.grants(c)) {
                    granted = granted.with((LogProvider)
                            (level, message) -> err.println("[" + module.getFileName() + " " + level + "] " + message));
                }
            }
            List<String> argv = new ArrayList<>();
            argv.add(module.getFileName().toString());
            argv.addAll(arguments);
            return CallOptions.defaults()
                    .withExport(export)
                    .withLimits(limits)
                    .withGrants(granted)
                    .withArguments(argv);
        }

        /** Passes on what the module wrote, prints the one error line, and returns the exit code for it. */
        private int report(WasmException e, PrintStream out, PrintStream err) {
            err.print(e.stderr());
            if (e instanceof ModuleExitedException exited) {
                out.print(exited.stdout());
                out.flush();
            }
            err.println("mycelium: " + e.getMessage());
            if (verbosity.verbose) {
                err.println("  code: " + e.code());
                if (e instanceof WasmTrapException trap) {
                    trap.wasmStack().forEach(frame -> err.println((frame.startsWith("...") ? "  " : "  at ") + frame));
                }
                if (e instanceof OutputNotJsonException notJson) {
                    err.println("  stdout began: " + notJson.output().strip());
                }
            }
            return switch (e) {
                case ModuleExitedException x -> x.exitCode();
                case InputNotJsonException x -> INPUT_NOT_JSON;
                case OutputNotJsonException x -> OUTPUT_NOT_JSON;
                case CapabilityDeniedException x -> CAPABILITY_DENIED;
                case WasmTrapException x -> TRAPPED;
                case LimitExceededException x ->
                    x.limit() == LimitExceededException.Limit.TIME ? TIMED_OUT : OVER_LIMIT;
                case InvalidModuleException x -> CANNOT_START;
                case MissingExportException x -> CANNOT_START;
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    /** Parses {@code 1048576}, {@code 512K}, {@code 64M}, {@code 1G} (also {@code 64MiB}, {@code 64MB}): powers of 1024. */
    static long bytes(String option, String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + ": not a size: '" + text + "' (use e.g. 65536, 512K, 64M, 1G)");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(option + ": too large: '" + text + "'");
        }
        return n << shift;
    }
}
