package io.mycelium.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/** The agent jar that travels to hosts, as built into this library, with its sha256. */
public final class AgentJar {
    private static final String RESOURCE = "/io/mycelium/agent-jar/mycelium-agent.jar";
    private static final AgentJar INSTANCE = load();

    private final byte[] bytes;
    private final String sha256;

    private AgentJar(byte[] bytes, String sha256) {
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    /** The agent built into this library. */
    public static AgentJar embedded() {
        return INSTANCE;
    }

    /** The jar's bytes; a copy, so no caller can alter what others send. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Size in bytes. */
    public int size() {
        return bytes.length;
    }

    /** Hex sha256 of the jar. */
    public String sha256() {
        return sha256;
    }

    /**
     * The jar as a file in {@code dir}, named by its hash and written atomically, so concurrent callers and later runs
     * share one copy and a half-written file is never used.
     */
    public Path materialize(Path dir) throws IOException {
        Path target = dir.resolve("mycelium-agent-" + sha256.substring(0, 16) + ".jar");
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
            return target;
        }
        Files.createDirectories(dir);
        pruneOlderVersions(dir, target);
        Path temp = Files.createTempFile(dir, ".mycelium-agent-", ".part");
        try {
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    /**
     * Removes agent jars of other versions that nobody wrote for a day: each build of Mycelium brings its own, and a
     * JVM that still runs one keeps it open, so deleting it is safe.
     */
    private static void pruneOlderVersions(Path dir, Path keep) {
        long dayAgo = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "mycelium-agent-*.jar")) {
            for (Path jar : jars) {
                if (!jar.equals(keep) && Files.getLastModifiedTime(jar).toMillis() < dayAgo) {
                    Files.deleteIfExists(jar);
                }
            }
        } catch (IOException e) {
            // Only housekeeping: the cache works with old jars in it.
        }
    }

    private static AgentJar load() {
        try (InputStream in = AgentJar.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the agent jar " + RESOURCE + " is missing from the classpath: build with ./mvnw package");
            }
            byte[] bytes = in.readAllBytes();
            return new AgentJar(
                    bytes,
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
