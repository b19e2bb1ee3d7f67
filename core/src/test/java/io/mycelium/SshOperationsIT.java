package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;

import io.mycelium.testhosts.RequiresDocker;
import io.mycelium.testhosts.TestHost;
import io.mycelium.testhosts.TestHostImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What users do over SSH: env, stdin, binary output, many execs at once, cancel, big transfers; over both SSH clients,
 * to one host, each with a connection of its own.
 */
@RequiresDocker
class SshOperationsIT {
    static TestHost host;
    static Mycelium mycelium;
    static final Map<SshSession.Client, Context> contexts = new EnumMap<>(SshSession.Client.class);

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        host = TestHost.start(TestHostImage.DEBIAN_MIN);
        mycelium = Mycelium.standalone();
        for (SshSession.Client client : SshSession.Client.values()) {
            Context context = mycelium.open(SshHosts.session(host, client).build());
            context.ensureAgent().toCompletableFuture().get(60, TimeUnit.SECONDS);
            contexts.put(client, context);
        }
    }

    @AfterAll
    static void stop() {
        contexts.clear();
        if (mycelium != null) {
            mycelium.close();
        }
        if (host != null) {
            host.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void environmentStdinAndEveryByteValue(SshSession.Client client) throws Exception {
        Context context = contexts.get(client);
        ExecResult r = context.procExec(
                        List.of("sh", "-c", "echo \"$GREETING\"; cat; printf \"$(printf '\\\\%03o' $(seq 0 255))\""),
                        ExecOptions.defaults().withEnv("GREETING", "hi there").withStdin("in\n".getBytes()))
                .get(30, TimeUnit.SECONDS);
        byte[] out = r.stdout();
        assertThat(new String(out, 0, 12)).isEqualTo("hi there\nin\n");
        assertThat(out).hasSize(12 + 256);
        for (int i = 0; i < 256; i++) {
            assertThat(out[12 + i] & 0xFF).isEqualTo(i);
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void fiftyConcurrentExecsOnOneConnection(SshSession.Client client) throws Exception {
        Context context = contexts.get(client);
        List<CompletableFuture<ExecResult>> runs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            runs.add(context.procExec(
                    List.of("sh", "-c", "sleep 0.3; echo $N; exit $((N % 7))"),
                    ExecOptions.defaults().withEnv("N", Integer.toString(i))));
        }
        for (int i = 0; i < 50; i++) {
            ExecResult r = runs.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.stdoutText()).isEqualTo(i + "\n");
            assertThat(r.exitCode()).isEqualTo(i % 7);
        }
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void cancelKillsTheRemoteProcessTree(SshSession.Client client) throws Exception {
        Context context = contexts.get(client);
        CompletableFuture<ExecResult> run =
                context.procExec(List.of("sh", "-c", "sleep 311 & sleep 312; wait"), ExecOptions.defaults());
        assertThat(ProcessProbe.waitFor(() -> remote("pgrep -x sleep | wc -l").equals("2"), Duration.ofSeconds(10)))
                .isTrue();
        run.cancel(true);
        assertThat(ProcessProbe.waitFor(() -> remote("pgrep -x sleep | wc -l").equals("0"), Duration.ofSeconds(5)))
                .as("remote sleeps after the cancel")
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(SshSession.Client.class)
    void putAndGetOf256MiBKeepTheSha256(SshSession.Client client) throws Exception {
        Context context = contexts.get(client);
        Path source = dir.resolve("big.bin");
        Random random = new Random(256);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(source)) {
            for (int i = 0; i < 256; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        TransferResult put = context.put(source, "/tmp/big.bin").get(120, TimeUnit.SECONDS);
        assertThat(put.bytes()).isEqualTo(256L << 20);
        assertThat(remote("sha256sum /tmp/big.bin | cut -d' ' -f1")).isEqualTo(sha256(source));
        Path back = dir.resolve("back.bin");
        context.get("/tmp/big.bin", back).get(120, TimeUnit.SECONDS);
        assertThat(sha256(back)).isEqualTo(sha256(source));
        System.out.printf(
                "256 MiB over SSH (%s): put %.0f MiB/s%n",
                client, 256 / (put.duration().toNanos() / 1e9));
        host.exec("rm", "-f", "/tmp/big.bin");
    }

    private static String remote(String shell) {
        return host.exec("sh", "-c", shell).stdout().strip();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
