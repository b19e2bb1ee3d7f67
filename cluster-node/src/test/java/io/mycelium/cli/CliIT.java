package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end: bytes, exit codes, errors, and big transfers in a small heap. */
class CliIT {
    @TempDir
    Path dir;

    @Test
    void execPassesBytesStderrAndExitCodeThrough() throws Exception {
        Cli.Result r = Cli.run("exec", "--local", "--", "sh", "-c", "printf \"\\000\\377abc\"; echo err >&2; exit 3");
        assertThat(r.stdout()).containsExactly(0, 0xFF, 'a', 'b', 'c');
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.exitCode()).isEqualTo(3);
    }

    @Test
    void exitCodesForSignalsTimeoutsAndMissingPrograms() throws Exception {
        assertThat(Cli.run("exec", "--local", "--", "sh", "-c", "kill -9 $$").exitCode())
                .isEqualTo(128 + 9);

        Cli.Result timedOut = Cli.run("exec", "--local", "--timeout", "300ms", "--", "sleep", "30");
        assertThat(timedOut.exitCode()).isEqualTo(124);
        assertThat(timedOut.stderr()).contains("ran past its timeout of 300ms");

        Cli.Result missing = Cli.run("exec", "--local", "--", "no-such-program-xyz");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr().lines())
                .containsExactly("mycelium: [local] cannot start no-such-program-xyz: not found on PATH ("
                        + System.getenv("PATH") + ")");
    }

    @Test
    void errorsAreOneLineAndTheChainComesWithVerbose() throws Exception {
        Cli.Result plain = Cli.run(
                "get",
                "--local",
                dir.resolve("absent").toString(),
                dir.resolve("x").toString());
        assertThat(plain.exitCode()).isEqualTo(125);
        assertThat(plain.stderr().lines()).hasSize(1);
        assertThat(plain.stderr()).startsWith("mycelium: [local] reading ").contains("no such file");

        Cli.Result verbose = Cli.run(
                "get",
                "--local",
                "-v",
                dir.resolve("absent").toString(),
                dir.resolve("x").toString());
        assertThat(verbose.stderr()).contains("caused by: io.mycelium.RemoteCauseException: java.nio.file.NoSuchFile");
    }

    @Test
    void wasmRunPrintsTheJsonResultHereAndThroughTheLocalAgent() throws Exception {
        Path echo = Path.of(System.getProperty("mycelium.wasm.testModules"), "echo.wasm");
        byte[] input = "{\"a\": [1, \"x\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Cli.Result here = Cli.runWithInput(input, "wasm", "run", echo.toString());
        assertThat(here.exitCode()).as(here.stderr()).isZero();
        assertThat(here.stdoutText().strip()).isEqualTo("{\"echo\":{\"a\":[1,\"x\"]}}");
        Cli.Result there = Cli.runWithInput(input, "wasm", "run", "--local", echo.toString());
        assertThat(there.exitCode()).as(there.stderr()).isZero();
        assertThat(there.stdoutText().strip()).isEqualTo("{\"echo\":{\"a\":[1,\"x\"]}}");

        Path kv = Path.of(System.getProperty("mycelium.wasm.testModules"), "kv.wasm");
        byte[] empty = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (String[] args : List.of(
                new String[] {"wasm", "run", kv.toString()}, new String[] {"wasm", "run", "--local", kv.toString()})) {
            Cli.Result denied = Cli.runWithInput(empty, args);
            assertThat(denied.exitCode()).as(denied.stderr()).isEqualTo(122);
            assertThat(denied.stderr()
                            .lines()
                            .filter(l -> l.startsWith("mycelium: ") && !l.startsWith("mycelium: warning")))
                    .singleElement()
                    .asString()
                    .contains("capability 'kv' is not granted");
        }
    }

    @Test
    void helpListsTheSubcommands() throws Exception {
        Cli.Result help = Cli.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdoutText()).contains("exec", "put", "get", "Run a command");
    }

    @Test
    void putThenGetOfOneGibibyteInSmallHeapsKeepsTheSha256() throws Exception {
        Path source = dir.resolve("big.bin");
        writeRandom(source, 1L << 30);
        Path remote = dir.resolve("remote.bin");
        Path back = dir.resolve("back.bin");
        // The CLI (controller) runs in 256 MiB of heap; the agent it starts has a 128 MiB heap.
        List<String> smallHeap = List.of("-Xmx256m", "-XX:+UseSerialGC");
        Cli.Result put = Cli.run(smallHeap, "put", "--local", "-v", source.toString(), remote.toString());
        assertThat(put.exitCode()).as(put.stderr()).isZero();
        Cli.Result get = Cli.run(smallHeap, "get", "--local", "-v", remote.toString(), back.toString());
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        System.out.println(put.stderr() + get.stderr());

        String expected = sha256(source);
        assertThat(sha256(remote)).isEqualTo(expected);
        assertThat(sha256(back)).isEqualTo(expected);
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(42);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block);
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
