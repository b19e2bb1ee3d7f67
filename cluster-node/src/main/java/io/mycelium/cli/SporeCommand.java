package io.mycelium.cli;

import io.mycelium.mesh.spore.Spore;
import io.mycelium.mesh.spore.SporeKeys;
import io.mycelium.mesh.spore.SporeLimits;
import io.mycelium.mesh.spore.SporePacker;
import io.mycelium.mesh.spore.SporeVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mycelium spore keygen|pack|verify|inspect}: signed packages of a binary and its manifest. */
@Command(
        name = "spore",
        description = "Make signing keys, pack a binary into a signed .spore, verify and inspect one.",
        mixinStandardHelpOptions = true,
        subcommands = {
            SporeCommand.Keygen.class,
            SporeCommand.Pack.class,
            SporeCommand.Verify.class,
            SporeCommand.Inspect.class
        })
final class SporeCommand {

    @Command(name = "keygen", description = "Write a new Ed25519 key pair: DIR/spore.key and DIR/spore.pub.")
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the key pair.")
        Path out;

        @Override
        public Integer call() {
            String publicKey = SporeKeys.generate(out);
            System.out.println(publicKey);
            return 0;
        }
    }

    @Command(name = "pack", description = "Pack a binary and a manifest into a signed .spore; prints its digest.")
    static final class Pack implements Callable<Integer> {
        @Option(names = "--binary", required = true, paramLabel = "FILE", description = "The program to run.")
        Path binary;

        @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest.json to sign.")
        Path manifest;

        @Option(names = "--key", required = true, paramLabel = "DIR", description = "Key directory (keygen --out).")
        Path key;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The .spore to write.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Spore spore = SporePacker.pack(binary, manifest, key, out, SporeLimits.DEFAULT, Clock.systemUTC());
            System.out.println(spore.digest());
            return 0;
        }
    }

    @Command(
            name = "verify",
            description = "Check a .spore's entries, sizes, binary hash and signature; prints its digest.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "SPORE")
        Path file;

        @Option(
                names = "--trust",
                paramLabel = "KEY",
                description = "A trusted public key: base64, a spore.pub file or a key directory (repeatable);"
                        + " with none, any valid signature is accepted.")
        List<String> trust = List.of();

        @Override
        public Integer call() throws Exception {
            Spore spore = new SporeVerifier(SporeLimits.DEFAULT.trusting(trusted(trust))).verify(file);
            System.out.println("ok " + spore.manifest().identity().name() + " "
                    + spore.manifest().identity().version() + " " + spore.digest());
            return 0;
        }
    }

    @Command(name = "inspect", description = "Verify a .spore and print its manifest and digest as JSON.")
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "SPORE")
        Path file;

        @Override
        public Integer call() throws Exception {
            Spore spore = new SporeVerifier(SporeLimits.DEFAULT).verify(file);
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var node = json.createObjectNode();
            node.put("digest", spore.digest());
            node.set("manifest", json.valueToTree(spore.manifest()));
            System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            return 0;
        }
    }

    static Set<String> trusted(List<String> keys) {
        Set<String> trusted = new LinkedHashSet<>();
        for (String key : keys) {
            Path path = Path.of(key);
            trusted.add(Files.exists(path) ? SporeKeys.loadPublic(path) : key);
        }
        return trusted;
    }
}
