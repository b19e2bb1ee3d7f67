package io.mycelium;

import io.mycelium.function.JsonFunction;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Functions for tests, compiled here with {@code --release 17} (the SSH test hosts run Java 17) into a jar of their own
 * that also holds a random resource, so each test class's registry has a digest no host has seen: its first call must
 * ship the jars.
 */
final class TestFunctions {
    static final String ECHO = """
            package fn;
            import com.fasterxml.jackson.databind.JsonNode;
            import com.fasterxml.jackson.databind.node.JsonNodeFactory;
            public final class Echo implements io.mycelium.function.JsonFunction {
                public String name() { return "echo"; }
                public JsonNode apply(JsonNode input) {
                    return JsonNodeFactory.instance.objectNode().put("java", Runtime.version().feature())
                            .put("thread", Thread.currentThread().getName()).set("echo", input);
                }
            }
            """;
    static final String FAIL = """
            package fn;
            import com.fasterxml.jackson.databind.JsonNode;
            public final class Fail implements io.mycelium.function.JsonFunction {
                public String name() { return "fail"; }
                public JsonNode apply(JsonNode input) throws Exception {
                    return check(input.path("n").asInt());
                }
                private static JsonNode check(int n) {
                    try {
                        throw new java.io.IOException("disk " + n + " is on fire");
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("cannot handle " + n, e);
                    }
                }
            }
            """;
    static final String SLOW = """
            package fn;
            import com.fasterxml.jackson.databind.JsonNode;
            import com.fasterxml.jackson.databind.node.JsonNodeFactory;
            public final class Slow implements io.mycelium.function.JsonFunction {
                public String name() { return "slow"; }
                public JsonNode apply(JsonNode input) throws Exception {
                    Thread.sleep(input.path("ms").asLong());
                    return JsonNodeFactory.instance.numberNode(input.path("i").asInt() * 2);
                }
            }
            """;

    private TestFunctions() {}

    /** A registry of echo, fail and slow, compiled into {@code dir}. */
    static FunctionRegistry registry(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/fn"));
        Files.writeString(src.resolve("Echo.java"), ECHO);
        Files.writeString(src.resolve("Fail.java"), FAIL);
        Files.writeString(src.resolve("Slow.java"), SLOW);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(
                null,
                null,
                null,
                "--release",
                "17",
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                classes.toString(),
                src.resolve("Echo.java").toString(),
                src.resolve("Fail.java").toString(),
                src.resolve("Slow.java").toString());
        if (status != 0) {
            throw new IllegalStateException("javac failed: " + status);
        }
        Files.writeString(classes.resolve("run-id.txt"), UUID.randomUUID().toString());
        Path jar = dir.resolve("test-functions.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream j = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(file).toString()));
                Files.copy(file, j);
                j.closeEntry();
            }
        }
        URLClassLoader loader =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, JsonFunction.class.getClassLoader());
        FunctionRegistry.Builder builder = FunctionRegistry.builder();
        for (String name : List.of("fn.Echo", "fn.Fail", "fn.Slow")) {
            builder.add(loader.loadClass(name).asSubclass(JsonFunction.class));
        }
        return builder.build();
    }

    /** Inode and modification time of the registry's folder on {@code context}'s host, or "" when it is not there. */
    static String installed(Context context, FunctionRegistry registry) throws Exception {
        ExecResult r = context.procExec(
                        "sh",
                        "-c",
                        "stat -c '%i %Y' \"${XDG_CACHE_HOME:-$HOME/.cache}/mycelium/fn-"
                                + registry.bundle().tree() + "\" 2>/dev/null || true")
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        return new String(r.stdout(), StandardCharsets.UTF_8).strip();
    }
}
