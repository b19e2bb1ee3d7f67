package io.mycelium.function.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.function.JsonFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionWorkerTest {
    public static final class Upper implements JsonFunction {
        @Override
        public String name() {
            return "upper";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            return Frames.JSON.getNodeFactory().textNode(input.asText().toUpperCase());
        }
    }

    public static final class Broken implements JsonFunction {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            throw new UnsupportedOperationException("never", new ArithmeticException("inner"));
        }
    }

    /** Runs a worker over {@code requests} and returns what it answered, by id (the ready frame as id -1). */
    private static Map<Long, ObjectNode> serve(Map<String, String> classes, List<ObjectNode> requests)
            throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        Frames writer = new Frames(new ByteArrayInputStream(new byte[0]), in);
        for (ObjectNode request : requests) {
            writer.write(request);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FunctionWorker worker = new FunctionWorker(
                classes,
                new Frames(new ByteArrayInputStream(in.toByteArray()), out),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(worker.serve(2)).isZero();
        Frames reader =
                new Frames(new ByteArrayInputStream(out.toByteArray()), java.io.OutputStream.nullOutputStream());
        Map<Long, ObjectNode> answers = new LinkedHashMap<>();
        ObjectNode frame;
        while ((frame = reader.read()) != null) {
            answers.put(
                    frame.path("type").asText().equals("ready")
                            ? -1
                            : frame.path("id").asLong(),
                    frame);
        }
        return answers;
    }

    private static ObjectNode call(long id, String function, String input) throws Exception {
        ObjectNode call =
                Frames.JSON.createObjectNode().put("type", "call").put("id", id).put("function", function);
        call.set("input", Frames.JSON.readTree(input));
        return call;
    }

    @Test
    void answersCallsAndReportsExceptionsAndLoadFailures() throws Exception {
        Map<String, String> classes = new LinkedHashMap<>();
        classes.put("upper", Upper.class.getName());
        classes.put("broken", Broken.class.getName());
        classes.put("missing", "no.such.Function");
        classes.put("renamed", Upper.class.getName());
        List<ObjectNode> requests = new ArrayList<>(List.of(
                call(1, "upper", "\"abc\""),
                call(2, "broken", "{}"),
                call(3, "missing", "{}"),
                call(4, "renamed", "{}"),
                call(5, "nobody", "{}")));
        Map<Long, ObjectNode> answers = serve(classes, requests);

        assertThat(answers.get(-1L).path("functions").toString()).isEqualTo("[\"broken\",\"upper\"]");
        assertThat(answers.get(1L).path("output").asText()).isEqualTo("ABC");
        ObjectNode threw = answers.get(2L);
        assertThat(threw.path("code").asText()).isEqualTo("THREW");
        assertThat(threw.path("exception").path("class").asText()).isEqualTo("java.lang.UnsupportedOperationException");
        assertThat(threw.path("exception").path("stack").get(0).path("method").asText())
                .isEqualTo("apply");
        assertThat(threw.path("exception").path("cause").path("message").asText())
                .isEqualTo("inner");
        assertThat(answers.get(3L).path("code").asText()).isEqualTo("NOT_LOADED");
        assertThat(answers.get(3L).path("message").asText()).contains("no.such.Function");
        assertThat(answers.get(4L).path("message").asText()).contains("is named 'upper' here, not 'renamed'");
        assertThat(answers.get(5L).path("code").asText()).isEqualTo("NOT_LOADED");
    }

    @Test
    void aBadFrameEndsTheWorkerWithStatus2() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FunctionWorker worker = new FunctionWorker(
                Map.of(),
                new Frames(new ByteArrayInputStream(new byte[] {0x7f, 0, 0, 0, 1}), out),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(worker.serve(1)).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("BAD_REQUEST");
    }
}
