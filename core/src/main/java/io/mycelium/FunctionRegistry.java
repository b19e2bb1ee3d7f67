package io.mycelium;

import io.mycelium.function.JsonFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The functions {@link Context#callJson} may call: only these, by name. Register them with {@link
 * Mycelium#functions(FunctionRegistry)}. Immutable and safe to share.
 *
 * <p>What travels to a host, once, hash-addressed and cached there like the Wasm runtime: the jar (or classes
 * directory, packed into a jar) each function class was loaded from, the extra {@linkplain Builder#library libraries},
 * Jackson, and the function worker. Keep functions in a jar of their own: a classes directory (an IDE's or a test
 * run's) travels whole.
 *
 * <pre>{@code
 * FunctionRegistry functions = FunctionRegistry.builder().add(Greeter.class).add(Resize.class)
 *         .library(Path.of("lib/imaging.jar")).build();
 * mycelium.functions(functions);
 * JsonNode out = context.callJson("greet", input).toCompletableFuture().join();
 * }</pre>
 */
public final class FunctionRegistry {
    /** Names travel on the worker's command line as {@code NAME=CLASS}. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*");

    private static final FunctionRegistry EMPTY = new FunctionRegistry(Map.of(), List.of());

    private final Map<String, Class<? extends JsonFunction>> functions;
    private final List<Path> libraries;
    private volatile FunctionBundle bundle;

    private FunctionRegistry(Map<String, Class<? extends JsonFunction>> functions, List<Path> libraries) {
        this.functions = Collections.unmodifiableMap(new TreeMap<>(functions));
        this.libraries = List.copyOf(libraries);
    }

    /** A registry without functions: every call fails as not registered. */
    public static FunctionRegistry empty() {
        return EMPTY;
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The registered names, sorted. */
    public Set<String> names() {
        return functions.keySet();
    }

    /** Whether a function of this name is registered. */
    public boolean contains(String name) {
        return name != null && functions.containsKey(name);
    }

    Map<String, Class<? extends JsonFunction>> functions() {
        return functions;
    }

    List<Path> libraries() {
        return libraries;
    }

    /** What is shipped to hosts, built on first use. */
    FunctionBundle bundle() {
        FunctionBundle built = bundle;
        if (built == null) {
            synchronized (this) {
                if (bundle == null) {
                    bundle = FunctionBundle.build(this);
                }
                built = bundle;
            }
        }
        return built;
    }

    @Override
    public String toString() {
        return "FunctionRegistry" + functions.keySet();
    }

    /** Collects functions and libraries. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Class<? extends JsonFunction>> functions = new TreeMap<>();
        private final List<Path> libraries = new ArrayList<>();

        private Builder() {}

        /**
         * Registers {@code type} under the name its {@link JsonFunction#name()} returns; one instance is made here to
         * ask it.
         *
         * @throws IllegalArgumentException when the class has no public no-argument constructor, its name is not of
         *     letters, digits and {@code _ . : -} or is taken, or its code source cannot be found (a class of the JDK,
         *     or generated at run time)
         */
        public Builder add(Class<? extends JsonFunction> type) {
            Objects.requireNonNull(type, "type");
            String name;
            try {
                name = type.getConstructor().newInstance().name();
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(
                        type.getName() + " needs a public no-argument constructor to be a function: " + e, e);
            }
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(type.getName() + ".name() must be letters, digits and _ . : -,"
                        + " starting with a letter or digit: '" + name + "'");
            }
            Class<? extends JsonFunction> other = functions.get(name);
            if (other != null && other != type) {
                throw new IllegalArgumentException(
                        "two functions are named '" + name + "': " + other.getName() + " and " + type.getName());
            }
            FunctionBundle.codeSource(type);
            functions.put(name, type);
            return this;
        }

        /**
         * A jar the functions need on the host besides their own (a dependency), put on the worker's class path.
         *
         * @throws IllegalArgumentException when {@code jar} is not a readable file
         */
        public Builder library(Path jar) {
            Objects.requireNonNull(jar, "jar");
            if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
                throw new IllegalArgumentException("library " + jar + " is not a readable file");
            }
            libraries.add(jar.toAbsolutePath().normalize());
            return this;
        }

        /** The registry. */
        public FunctionRegistry build() {
            return new FunctionRegistry(functions, libraries);
        }
    }
}
