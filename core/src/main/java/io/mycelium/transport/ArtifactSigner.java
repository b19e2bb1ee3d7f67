package io.mycelium.transport;

import io.mycelium.wire.ErrorCode;
import io.mycelium.wire.OperationFailedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Signs the agent jar and the Java runtime with an SSH key, for hosts that accept only signed artifacts (an {@code
 * allowed_signers} file in {@code ~/.config/mycelium/} or {@code /etc/mycelium/}; stage 1 checks with {@code
 * ssh-keygen -Y verify}, which every host with sshd has). The signature is OpenSSH's SSHSIG (namespace {@code
 * mycelium}), made by the local {@code ssh-keygen -Y sign}: the same tool on both ends, no hand-rolled format. Each
 * artifact is signed once per signer.
 */
public final class ArtifactSigner {
    /** The SSHSIG namespace; a signature for another purpose never verifies as ours. */
    public static final String NAMESPACE = "mycelium";

    private final Path privateKey;
    private final ConcurrentHashMap<String, byte[]> signatures = new ConcurrentHashMap<>();

    /** @param privateKey an unencrypted SSH private key (ed25519 recommended) */
    public ArtifactSigner(Path privateKey) {
        this.privateKey = privateKey;
    }

    byte[] signAgent(AgentJar jar) throws IOException {
        return sign("agent " + jar.sha256(), () -> new ByteArrayInputStream(jar.bytes()));
    }

    byte[] signRuntime(JavaRuntime runtime) throws IOException {
        return sign("runtime " + runtime.descriptor().sha256(), runtime::open);
    }

    private interface Content {
        InputStream open() throws IOException;
    }

    private byte[] sign(String key, Content content) throws IOException {
        byte[] known = signatures.get(key);
        if (known != null) {
            return known;
        }
        Process process = new ProcessBuilder(
                        List.of("ssh-keygen", "-q", "-Y", "sign", "-f", privateKey.toString(), "-n", NAMESPACE))
                .start();
        CompletableFuture<byte[]> stdout = readAll(process.getInputStream());
        CompletableFuture<byte[]> stderr = readAll(process.getErrorStream());
        try (OutputStream in = process.getOutputStream();
                InputStream data = content.open()) {
            data.transferTo(in);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new OperationFailedException(
                        ErrorCode.BOOTSTRAP_FAILED,
                        "cannot sign the " + key.split(" ")[0] + " with " + privateKey + ": "
                                + new String(stderr.join(), StandardCharsets.UTF_8).strip(),
                        null);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while signing", e);
        }
        byte[] signature = stdout.join();
        signatures.put(key, signature);
        return signature;
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    @Override
    public String toString() {
        return "ArtifactSigner[" + privateKey + "]";
    }
}
