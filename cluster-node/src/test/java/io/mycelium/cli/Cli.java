package io.mycelium.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged CLI as its own JVM, the way bin/mycelium does, and captures what it prints. */
final class Cli {
    record Result(int exitCode, byte[] stdout, String stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Cli() {}

    static Result run(List<String> jvmFlags, String... args) throws IOException, InterruptedException {
        return run(Map.of(), jvmFlags, args);
    }

    /** Runs the CLI with {@code env} added to this JVM's environment. */
    static Result run(Map<String, String> env, List<String> jvmFlags, String... args)
            throws IOException, InterruptedException {
        return run(env, jvmFlags, null, args);
    }

    /** Runs the CLI with {@code input} on its stdin. */
    static Result runWithInput(byte[] input, String... args) throws IOException, InterruptedException {
        Path in = Files.createTempFile("cli", ".in");
        try {
            Files.write(in, input);
            return run(Map.of(), List.of("-Xmx256m", "-XX:+UseSerialGC"), in, args);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private static Result run(Map<String, String> env, List<String> jvmFlags, Path stdin, String... args)
            throws IOException, InterruptedException {
        Path target = Path.of("target").toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-Dmycelium.wasm.bundle="
                + Path.of("..", "wasm-runtime", "target", "wasm-bundle")
                        .toAbsolutePath()
                        .normalize());
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(target.resolve("mycelium-cluster-node.jar") + ":" + target.resolve("lib") + "/*");
        command.add("io.mycelium.cli.MyceliumCommand");
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Process process = builder.redirectInput(ProcessBuilder.Redirect.from(
                            stdin == null ? new java.io.File("/dev/null") : stdin.toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the CLI did not finish: " + String.join(" ", args));
            }
            return new Result(process.exitValue(), Files.readAllBytes(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(List.of("-Xmx256m", "-XX:+UseSerialGC"), args);
    }
}
