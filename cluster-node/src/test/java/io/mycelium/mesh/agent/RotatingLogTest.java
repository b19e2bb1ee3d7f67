package io.mycelium.mesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogTest {
    @TempDir
    Path dir;

    @Test
    void logsRollOverAtTheLimitAndKeepTheConfiguredFiles() throws Exception {
        Path log = dir.resolve("stdout.log");
        byte[] data = "0123456789".repeat(100).getBytes();
        RotatingLog rotating = new RotatingLog(log, 300, 2);
        rotating.pump(new ByteArrayInputStream(data), "test-pump");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !(Files.exists(Path.of(log + ".2")) && Files.size(log) > 0)) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertThat(Files.size(log)).isLessThanOrEqualTo(300);
        assertThat(Path.of(log + ".1")).exists();
        assertThat(Path.of(log + ".2")).exists();
        assertThat(Path.of(log + ".3")).doesNotExist();
    }
}
