package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk-through of docs/mesh.md as a new user runs it: {@code mesh run} in its own process, then keygen, pack,
 * repo put, plan publish, curl through the edge, a new digest, and Ctrl-C (SIGTERM) stopping every process it ran.
 */
class MeshRunIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theWalkThroughWorksAndCtrlCStopsEveryProcess() throws Exception {
        int edgePort = freePort();
        int apiPort = freePort();
        String api = "http://127.0.0.1:" + apiPort;
        String edge = "http://127.0.0.1:" + edgePort;
        Process mesh = launch(
                "mesh",
                "run",
                "--agents",
                "2",
                "--warmup",
                "1s",
                "--data-dir",
                dir.resolve("data").toString(),
                "--edge-port",
                Integer.toString(edgePort),
                "--api-port",
                Integer.toString(apiPort),
                "--demo");
        Set<Long> pids = new HashSet<>();
        try {
            HttpResponse<String> demo = await(() -> get(edge + "/billing/hello"), r -> r.statusCode() == 200);
            assertThat(demo.body()).startsWith("hello from billing v1");
            assertThat(demo.headers().firstValue("X-Mycelium-Edge")).isPresent();

            Path work = dir.resolve("work");
            assertThat(Cli.run("mesh", "demo", "--out", work.toString()).exitCode())
                    .isZero();
            assertThat(Cli.run("spore", "keygen", "--out", work.resolve("keys").toString())
                            .exitCode())
                    .isZero();
            String digest = null;
            for (String v : List.of("v1", "v2")) {
                Cli.Result pack = Cli.run(
                        "spore",
                        "pack",
                        "--binary",
                        work.resolve("billing").toString(),
                        "--manifest",
                        work.resolve("manifest-" + v + ".json").toString(),
                        "--key",
                        work.resolve("keys").toString(),
                        "--out",
                        work.resolve("billing-" + v + ".spore").toString());
                assertThat(pack.exitCode()).as(pack.stderr()).isZero();
                Cli.Result put = Cli.run(
                        "repo", "put", work.resolve("billing-" + v + ".spore").toString(), "--api", api);
                assertThat(put.exitCode()).as(put.stderr()).isZero();
                digest = put.stdoutText().strip();
                assertThat(digest).isEqualTo(pack.stdoutText().strip());
            }
            Cli.Result publish = Cli.run("plan", "publish", "--app", "billing", "--digest", digest, "--api", api);
            assertThat(publish.exitCode()).as(publish.stderr()).isZero();
            await(() -> get(edge + "/billing/hello"), r -> r.body().startsWith("hello from billing v2"));
            JsonNode instances =
                    JSON.readTree(get(api + "/api/v1/instances").body()).path("instances");
            instances.forEach(i -> pids.add(i.path("pid").asLong()));
            assertThat(pids).isNotEmpty();
        } finally {
            mesh.destroy();
            if (!mesh.waitFor(60, TimeUnit.SECONDS)) {
                mesh.destroyForcibly();
            }
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        assertThat(mesh.exitValue()).isIn(0, 143);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("pid %d after mesh run stopped", pid)
                    .isFalse();
        }
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    interface Call<T> {
        T get() throws Exception;
    }

    private static <T> T await(Call<T> call, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = call.get();
            if (last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out; last: " + last);
    }

    private Process launch(String... args) throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-cp",
                target.resolve("mycelium-cluster-node.jar") + File.pathSeparator + target.resolve("lib") + "/*",
                "io.mycelium.cli.MyceliumCommand"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve("mesh.out").toFile())
                .redirectError(dir.resolve("mesh.err").toFile())
                .start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
