package io.mycelium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrefixedLinesTest {
    @Test
    void linesSplitAcrossChunksComeOutWholeAndALastLineWithoutNewlineAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrefixedLines lines = new PrefixedLines("web1", out);
        lines.accept("one\ntw".getBytes(StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("web1 | one\n");
        lines.accept("o\n\nthr".getBytes(StandardCharsets.UTF_8));
        lines.accept("ee".getBytes(StandardCharsets.UTF_8));
        lines.finish();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("web1 | one\nweb1 | two\nweb1 | \nweb1 | three\n");
    }

    @Test
    void nothingLeftWritesNothingMore() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrefixedLines lines = new PrefixedLines("h", out);
        lines.accept("a\n".getBytes(StandardCharsets.UTF_8));
        lines.finish();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("h | a\n");
    }
}
