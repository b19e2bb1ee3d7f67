package io.mycelium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.mycelium.function.JsonFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FunctionRegistryTest {
    public static final class One implements JsonFunction {
        @Override
        public String name() {
            return "one";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            return input;
        }
    }

    public static final class AlsoOne implements JsonFunction {
        @Override
        public String name() {
            return "one";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            return input;
        }
    }

    public static final class BadName implements JsonFunction {
        @Override
        public String name() {
            return "a=b";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            return input;
        }
    }

    public static final class NeedsArgument implements JsonFunction {
        public NeedsArgument(String ignored) {}

        @Override
        public String name() {
            return "arg";
        }

        @Override
        public JsonNode apply(JsonNode input) {
            return input;
        }
    }

    @Test
    void namesComeFromTheFunctionsAndMustBeUnique() {
        FunctionRegistry registry = FunctionRegistry.builder().add(One.class).build();
        assertThat(registry.names()).containsExactly("one");
        assertThat(registry.contains("one")).isTrue();
        assertThat(registry.contains("two")).isFalse();
        assertThat(assertThrows(
                                IllegalArgumentException.class,
                                () -> FunctionRegistry.builder().add(One.class).add(AlsoOne.class))
                        .getMessage())
                .contains("two functions are named 'one'");
        assertThat(assertThrows(
                                IllegalArgumentException.class,
                                () -> FunctionRegistry.builder().add(NeedsArgument.class))
                        .getMessage())
                .contains("public no-argument constructor");
        assertThrows(
                IllegalArgumentException.class, () -> FunctionRegistry.builder().library(Path.of("/nonexistent.jar")));
    }

    @Test
    void theBundleHasTheSameDigestEveryTimeItIsBuilt() throws Exception {
        FunctionBundle first =
                FunctionBundle.build(FunctionRegistry.builder().add(One.class).build());
        FunctionBundle second =
                FunctionBundle.build(FunctionRegistry.builder().add(One.class).build());
        assertThat(first.tree()).isEqualTo(second.tree()).matches("[0-9a-f]{64}");
        assertThat(first.classes()).containsEntry("one", One.class.getName());
        // The worker, Jackson's three jars and the test classes (a directory, packed).
        try (var files = Files.list(first.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .hasSize(5)
                    .allMatch(name -> name.endsWith(".jar"));
        }
    }
}
