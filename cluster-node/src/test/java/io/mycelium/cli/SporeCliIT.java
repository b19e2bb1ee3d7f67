package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mycelium spore keygen|pack|verify|inspect} as a user runs them. */
class SporeCliIT {
    @TempDir
    Path dir;

    @Test
    void keygenPackVerifyInspectAndATamperedSpore() throws Exception {
        Cli.Result keygen =
                Cli.run("spore", "keygen", "--out", dir.resolve("keys").toString());
        assertThat(keygen.exitCode()).as(keygen.stderr()).isZero();
        String publicKey = keygen.stdoutText().strip();
        assertThat(Files.readString(dir.resolve("keys/spore.pub")).strip()).isEqualTo(publicKey);

        Path binary = dir.resolve("app.sh");
        Files.writeString(binary, "#!/bin/sh\necho hi\n");
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, """
                {"identity": {"kind": "Spore", "name": "billing", "version": "1.0.0"},
                 "runtime": {"command": "./binary"}}
                """);
        Path spore = dir.resolve("billing.spore");
        Cli.Result pack = Cli.run(
                "spore",
                "pack",
                "--binary",
                binary.toString(),
                "--manifest",
                manifest.toString(),
                "--key",
                dir.resolve("keys").toString(),
                "--out",
                spore.toString());
        assertThat(pack.exitCode()).as(pack.stderr()).isZero();
        String digest = pack.stdoutText().strip();
        assertThat(digest).matches("[0-9a-f]{64}");

        Cli.Result verify = Cli.run(
                "spore",
                "verify",
                spore.toString(),
                "--trust",
                dir.resolve("keys").toString());
        assertThat(verify.exitCode()).as(verify.stderr()).isZero();
        assertThat(verify.stdoutText().strip()).isEqualTo("ok billing 1.0.0 " + digest);

        Cli.Result inspect = Cli.run("spore", "inspect", spore.toString());
        assertThat(inspect.exitCode()).as(inspect.stderr()).isZero();
        assertThat(inspect.stdoutText())
                .contains("\"digest\" : \"" + digest + "\"")
                .contains("\"public_key\" : \"" + publicKey + "\"")
                .contains("\"binary_sha256\"");

        Cli.Result untrusted =
                Cli.run("spore", "verify", spore.toString(), "--trust", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assertThat(untrusted.exitCode()).isEqualTo(3);
        assertThat(untrusted.stderr()).startsWith("mycelium: the spore is signed by a key outside the trust list");

        Path tampered = dir.resolve("tampered.spore");
        try (ZipFile in = new ZipFile(spore.toFile());
                OutputStream raw = Files.newOutputStream(tampered);
                ZipOutputStream out = new ZipOutputStream(raw)) {
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write(in.getInputStream(in.getEntry("manifest.json")).readAllBytes());
            out.putNextEntry(new ZipEntry("binary"));
            out.write("#!/bin/sh\necho pwned\n".getBytes());
            out.closeEntry();
        }
        Cli.Result refused = Cli.run("spore", "verify", tampered.toString());
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.stderr().lines()).hasSize(1);
        assertThat(refused.stderr()).contains("the binary's sha256 is");
    }

    @Test
    void repoPutAndPlanPublishAgainstARunningNode() throws Exception {
        io.mycelium.mesh.spore.Spore spore = io.mycelium.mesh.TestSpores.pack(dir, "billing", "1", "#!/bin/sh\n");
        io.mycelium.node.Node node =
                io.mycelium.node.Node.start(com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(
                                "mycelium.data-dir", dir.resolve("data").toString(), "mycelium.node.http.port", 0))
                        .withFallback(com.typesafe.config.ConfigFactory.load()));
        try {
            String api = "http://127.0.0.1:" + node.httpAddress().getPort();
            Path file = io.mycelium.mesh.TestSpores.file(dir, "billing", "1");
            Cli.Result put = Cli.run("repo", "put", file.toString(), "--api", api);
            assertThat(put.exitCode()).as(put.stderr()).isZero();
            assertThat(put.stdoutText().strip()).isEqualTo(spore.digest());
            assertThat(dir.resolve("data/spores/" + spore.digest() + ".spore")).exists();

            Cli.Result plan = Cli.run("plan", "publish", "--app", "billing", "--digest", spore.digest(), "--api", api);
            assertThat(plan.exitCode()).as(plan.stderr()).isZero();
            assertThat(plan.stdoutText().strip()).isEqualTo("published billing " + spore.digest() + " (min 1, max 1)");
            Cli.Result unknown =
                    Cli.run("plan", "publish", "--app", "billing", "--digest", "0".repeat(64), "--api", api);
            assertThat(unknown.exitCode()).isEqualTo(3);
            assertThat(unknown.stderr()).contains("upload it first");

            Path junk = Files.writeString(dir.resolve("junk.spore"), "junk");
            Cli.Result refused = Cli.run("repo", "put", junk.toString(), "--api", api);
            assertThat(refused.exitCode()).isEqualTo(3);
            assertThat(refused.stderr()).contains("spore_malformed");

            Cli.Result noNode = Cli.run("repo", "put", file.toString(), "--api", "http://127.0.0.1:1");
            assertThat(noNode.exitCode()).isEqualTo(125);
            assertThat(noNode.stderr()).contains("no node answers at http://127.0.0.1:1/");
        } finally {
            node.stop().toCompletableFuture().get();
        }
    }
}
