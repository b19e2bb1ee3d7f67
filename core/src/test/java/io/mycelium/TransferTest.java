package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** put and get through the local agent: content, modes, times, trees, and clear errors. */
class TransferTest {
    static Mycelium mycelium;
    static Context local;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        mycelium = Mycelium.standalone();
        local = mycelium.open(Session.local());
    }

    @AfterAll
    static void stop() {
        mycelium.close();
    }

    private static TransferResult await(CompletionStage<TransferResult> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void fileRoundTripKeepsBytesModeAndTime() throws Exception {
        Path source = dir.resolve("source.bin");
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Files.write(source, content);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwxr-x--x"));
        Files.setLastModifiedTime(source, FileTime.fromMillis(1_600_000_000_000L));

        Path remote = dir.resolve("remote.bin");
        TransferResult put = await(local.put(source, remote.toString()));
        assertThat(put.bytes()).isEqualTo(content.length);
        assertThat(put.entries()).isEqualTo(1);
        Path back = dir.resolve("back.bin");
        await(local.get(remote.toString(), back));

        for (Path p : new Path[] {remote, back}) {
            assertThat(Files.readAllBytes(p)).isEqualTo(content);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                    .isEqualTo("rwxr-x--x");
            assertThat(Files.getLastModifiedTime(p).toMillis()).isEqualTo(1_600_000_000_000L);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".mycelium-part"));
        }
    }

    @Test
    void treeRoundTripKeepsStructureLinksAndReadOnlyDirectories() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.writeString(tree.resolve("top.txt"), "top");
        Files.write(tree.resolve("a/empty"), new byte[0]);
        Files.writeString(tree.resolve("a/b/c/deep.txt"), "deep");
        Files.createSymbolicLink(tree.resolve("a/link"), Path.of("b/c/deep.txt"));
        Files.createDirectories(tree.resolve("locked"));
        Files.writeString(tree.resolve("locked/inside.txt"), "inside");
        Files.setPosixFilePermissions(tree.resolve("locked"), PosixFilePermissions.fromString("r-xr-xr-x"));

        TransferResult put = await(local.put(tree, dir.resolve("copy").toString()));
        assertThat(put.entries()).isEqualTo(10);
        await(local.get(dir.resolve("copy").toString(), dir.resolve("back")));

        assertThat(describe(dir.resolve("copy"))).isEqualTo(describe(tree));
        assertThat(describe(dir.resolve("back"))).isEqualTo(describe(tree));
        assertThat(Files.readSymbolicLink(dir.resolve("back/a/link"))).isEqualTo(Path.of("b/c/deep.txt"));
    }

    @Test
    void missingSourceAndMissingParentAreFileNotFound() {
        assertThatThrownBy(() -> await(local.get(dir.resolve("nope").toString(), dir.resolve("x"))))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RemoteFileNotFoundException.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() ->
                        await(local.put(dir, dir.resolve("no/such/parent/x").toString())))
                .cause()
                .isInstanceOf(RemoteFileNotFoundException.class)
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() ->
                        await(local.put(dir.resolve("absent"), dir.resolve("y").toString())))
                .cause()
                .isInstanceOf(RemoteFileNotFoundException.class)
                .hasMessageContaining("absent");
        assertThat(dir.resolve("x")).doesNotExist();
        assertThat(dir.resolve("y")).doesNotExist();
    }

    @Test
    void puttingAFileOverADirectoryIsRefusedAndChangesNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "f");
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(target.resolve("keep.txt"), "keep");
        assertThatThrownBy(() -> await(local.put(file, target.toString())))
                .cause()
                .isInstanceOf(RemoteOperationException.class)
                .hasMessageContaining("is a directory");
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("keep");
    }

    /** Path -> type, mode, mtime (not for links) and sha256 of every entry, sorted. */
    private static TreeMap<String, String> describe(Path root) throws IOException {
        TreeMap<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String key = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    entries.put(key, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    entries.put(
                            key,
                            "dir " + mode(p) + " "
                                    + Files.getLastModifiedTime(p).toMillis());
                } else {
                    entries.put(
                            key,
                            "file " + mode(p) + " "
                                    + Files.getLastModifiedTime(p).toMillis() + " " + sha(p));
                }
            }
        }
        return entries;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static String sha(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
