package io.mycelium;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Hash-addressed parts on a host, the way the Wasm runtime and the function worker get there: a part is {@linkplain
 * Context#put put} next to its final place, then moved (or unpacked) there by {@code install.sh} and checked by its
 * tree digest, so a half-sent or changed part is never used and a second sender's copy is simply dropped.
 */
final class HostParts {
    private static final String INSTALL = script("/io/mycelium/wasm/install.sh");

    private HostParts() {}

    /**
     * Puts {@code local} at {@code dir/name} on {@code context}'s host.
     *
     * @param kind {@code dir} for a file or folder, {@code tgz} for an archive to unpack
     * @param tree the part's tree digest
     * @param failure the exception for a failed install, from what the script said
     */
    static CompletionStage<Void> send(
            Context context,
            Path local,
            String kind,
            String dir,
            String name,
            String tree,
            Function<String, RuntimeException> failure) {
        String part = dir + "/." + name + ".part-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        return context.put(local, part)
                .thenCompose(put -> context.procExec(
                        List.of("/bin/sh", "-c", INSTALL, "mycelium-install", kind, part, dir + "/" + name, tree),
                        ExecOptions.defaults()))
                .thenAccept(result -> {
                    if (result.exitCode() != 0) {
                        throw failure.apply("cannot install " + name + " in " + dir + ": "
                                + result.stderrText().strip());
                    }
                });
    }

    /** A shell script from core's resources. */
    static String script(String resource) {
        try (InputStream in = HostParts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from mycelium-core");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
