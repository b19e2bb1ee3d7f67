package io.mycelium.transport;

import io.mycelium.bootstrap.BootstrapPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The Java runtime shipped to hosts without Java 17+: a jlink'd image of {@code java.base} and {@code jdk.unsupported}
 * built with the project (module core, at package time) for one platform, as a {@code .tar.gz} resource. Read from the
 * classpath when sent, never held in memory as a whole.
 */
public final class JavaRuntime {
    private static final String BASE = "/io/mycelium/runtime/";
    private static final JavaRuntime EMBEDDED = load();

    private final String resource;
    private final BootstrapPlan.Runtime descriptor;
    private final long size;

    private JavaRuntime(String resource, BootstrapPlan.Runtime descriptor, long size) {
        this.resource = resource;
        this.descriptor = descriptor;
        this.size = size;
    }

    /** The runtime built into this library, or null when the build made none (then only hosts with Java work). */
    public static JavaRuntime embedded() {
        return EMBEDDED;
    }

    /** Platform, sha256 and Java version. */
    public BootstrapPlan.Runtime descriptor() {
        return descriptor;
    }

    /** Size of the archive in bytes. */
    public long size() {
        return size;
    }

    /** Writes the archive to {@code file}, replacing it. */
    public void writeTo(java.nio.file.Path file) throws IOException {
        try (OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            writeTo(out);
        }
    }

    void writeTo(OutputStream out) throws IOException {
        try (InputStream in = open()) {
            in.transferTo(out);
        }
    }

    InputStream open() throws IOException {
        InputStream in = JavaRuntime.class.getResourceAsStream(BASE + resource);
        if (in == null) {
            throw new IOException("the Java runtime " + resource + " is missing from the classpath");
        }
        return in;
    }

    private static JavaRuntime load() {
        try (InputStream in = JavaRuntime.class.getResourceAsStream(BASE + "runtime.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            String resource = p.getProperty("archive");
            JavaRuntime unverified = new JavaRuntime(resource, null, 0);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long size;
            try (InputStream archive = new DigestInputStream(unverified.open(), digest)) {
                size = archive.transferTo(OutputStream.nullOutputStream());
            }
            return new JavaRuntime(
                    resource,
                    new BootstrapPlan.Runtime(
                            p.getProperty("platform"),
                            HexFormat.of().formatHex(digest.digest()),
                            Integer.parseInt(p.getProperty("feature")),
                            p.getProperty("tree")),
                    size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
