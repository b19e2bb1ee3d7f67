package io.mycelium.testhosts;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An ed25519 key pair made by the machine's {@code ssh-keygen}, in OpenSSH format: the private key in {@code file}
 * (mode 600), the public key in {@code file.pub}.
 *
 * @param privateKey the private key file
 * @param publicKey the public key line without its comment: {@code ssh-ed25519 AAAA...}
 */
record SshKeyPair(Path privateKey, String publicKey) {

    static SshKeyPair generate(Path file, String comment) {
        List<String> command =
                List.of("ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-C", comment, "-f", file.toString());
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("ssh-keygen did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "ssh-keygen failed with exit code " + process.exitValue() + ": " + output.strip());
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            String[] fields = Files.readString(Path.of(file + ".pub")).strip().split("\\s+");
            return new SshKeyPair(file, fields[0] + " " + fields[1]);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new IllegalStateException(
                        "ssh-keygen is missing: install OpenSSH's client (apt-get install openssh-client)", e);
            }
            throw new UncheckedIOException("cannot make an ssh key in " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making an ssh key", e);
        }
    }

    /** The private key file's contents. */
    String privateKeyText() {
        try {
            return Files.readString(privateKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
