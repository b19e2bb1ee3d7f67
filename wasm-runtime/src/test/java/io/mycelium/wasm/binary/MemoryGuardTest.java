package io.mycelium.wasm.binary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mycelium.wasm.binary.ModuleInfo.ExternKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reader and the memory guard, on the test modules clang and wabt built. */
class MemoryGuardTest {
    private static final List<String> MODULES = List.of(
            "echo", "reactor", "kv", "capabilities", "memory", "spam", "trap", "sandbox", "exit_code", "grow", "loop");

    static byte[] module(String name) throws IOException {
        return Files.readAllBytes(
                Path.of(System.getProperty("mycelium.wasm.testModules", "target/test-wasm"), name + ".wasm"));
    }

    @Test
    void readsImportsExportsAndMemory() throws Exception {
        ModuleInfo info = ModuleReader.read(module("kv"));

        assertThat(info.functionExports()).contains("_start");
        assertThat(info.export("memory"))
                .hasValueSatisfying(e -> assertThat(e.kind()).isEqualTo(ExternKind.MEMORY));
        assertThat(info.imports())
                .filteredOn(i -> i.module().equals("mycelium:kv"))
                .extracting(ModuleInfo.Import::name)
                .containsExactlyInAnyOrder("set", "get", "take", "delete");
        assertThat(info.memories()).singleElement().satisfies(m -> {
            assertThat(m.minPages()).isPositive();
            assertThat(m.maxPages()).isEqualTo(-1);
        });
    }

    @Test
    void guardReplacesEveryGrowAndKeepsIndices() throws Exception {
        byte[] original = module("grow");
        ModuleInfo before = ModuleReader.read(original);

        MemoryGuard.Guarded guarded = MemoryGuard.apply(original, before, 10);
        ModuleInfo after = ModuleReader.read(guarded.bytes());

        assertThat(guarded.growSites()).isEqualTo(1);
        assertThat(after.memories()).singleElement().satisfies(m -> {
            assertThat(m.minPages()).isEqualTo(1);
            assertThat(m.maxPages()).isEqualTo(10); // min(declared 100, cap 10)
        });
        assertThat(after.functionTypes()).hasSize(before.functionTypes().size() + 1);
        assertThat(after.exports()).startsWith(before.exports().toArray(ModuleInfo.Export[]::new));
        assertThat(after.export(MemoryGuard.REQUEST_EXPORT))
                .hasValueSatisfying(e -> assertThat(e.kind()).isEqualTo(ExternKind.GLOBAL));
        // Only the guard itself still grows.
        assertThat(countGrows(guarded.bytes(), after)).isEqualTo(1);
    }

    @Test
    void guardedModuleGrowsWithinTheCapAndTrapsPastIt() throws Exception {
        byte[] guarded = MemoryGuard.apply(module("grow"), ModuleReader.read(module("grow")), 10)
                .bytes();

        try (Context context = Context.newBuilder("wasm").build()) {
            Value exports = context.eval(Source.newBuilder("wasm", ByteSequence.create(guarded), "grow")
                            .buildLiteral())
                    .newInstance()
                    .getMember("exports");
            assertThat(exports.getMember("grow").execute(4).asInt()).isEqualTo(1);
            assertThat(exports.getMember("size").execute().asInt()).isEqualTo(5);
            assertThat(exports.getMember(MemoryGuard.REQUEST_EXPORT)
                            .getMember("value")
                            .asLong())
                    .isZero();
            assertThat(exports.getMember("grow").execute(5).asInt()).isEqualTo(5); // exactly the cap
            assertThatThrownBy(() -> exports.getMember("grow").execute(1))
                    .isInstanceOf(PolyglotException.class)
                    .hasMessageContaining("unreachable");
            assertThat(exports.getMember(MemoryGuard.REQUEST_EXPORT)
                            .getMember("value")
                            .asLong())
                    .isEqualTo(11);
            assertThat(exports.getMember("size").execute().asInt()).isEqualTo(10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "reactor", "kv", "capabilities", "memory", "spam", "trap", "sandbox", "exit_code"})
    void clangModulesAreRewrittenIntoValidModules(String name, @TempDir Path tmp) throws Exception {
        byte[] original = module(name);
        ModuleInfo info = ModuleReader.read(original);

        MemoryGuard.Guarded guarded = MemoryGuard.apply(original, info, 256);

        assertThat(guarded.growSites()).as("wasi-libc's sbrk grows memory").isPositive();
        ModuleInfo after = ModuleReader.read(guarded.bytes());
        assertThat(after.sections()).noneMatch(s -> s.id() == 0 && s.name().startsWith(".debug_"));
        assertThat(after.sections()).anyMatch(s -> s.id() == 0 && s.name().equals("name"));
        assumeTrue(onPath("wasm-validate"), "wabt's wasm-validate is not installed");
        Path file = tmp.resolve(name + ".wasm");
        Files.write(file, guarded.bytes());
        Process p = new ProcessBuilder("wasm-validate", "--enable-all", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void moduleWithoutGrowOnlyGetsItsMaximumCapped() throws Exception {
        byte[] original = module("loop");

        MemoryGuard.Guarded guarded = MemoryGuard.apply(original, ModuleReader.read(original), 3);

        assertThat(guarded.growSites()).isZero();
        ModuleInfo after = ModuleReader.read(guarded.bytes());
        assertThat(after.memories().get(0).maxPages()).isEqualTo(3);
        assertThat(after.export(MemoryGuard.REQUEST_EXPORT)).isEmpty();
    }

    @Test
    void initialMemoryOverTheCapIsTheCallersToReport() throws Exception {
        byte[] original = module("grow");

        assertThatThrownBy(() -> MemoryGuard.apply(original, ModuleReader.read(original), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leb128RoundTripsSeeded() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long u = random.nextInt() & 0xFFFF_FFFFL;
            long s = i % 2 == 0 ? random.nextLong() : random.nextInt(1 << 20) - (1 << 19);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Leb128.writeU32(out, u);
            Leb128.writeS64(out, s);
            byte[] bytes = out.toByteArray();
            ByteReader r = new ByteReader(bytes, 0, bytes.length);
            assertThat(r.u32()).isEqualTo(u);
            assertThat(r.s64()).isEqualTo(s);
            assertThat(r.atEnd()).isTrue();
        }
    }

    @Test
    void everyTestModuleReadsAndEveryTruncationFailsCleanly() throws Exception {
        Random random = new Random(7);
        for (String name : MODULES) {
            byte[] bytes = module(name);
            ModuleReader.read(bytes);
            for (int i = 0; i < 20; i++) {
                int cut = 8 + random.nextInt(bytes.length - 8);
                byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
                try {
                    ModuleInfo info = ModuleReader.read(truncated);
                    MemoryGuard.apply(truncated, info, 1024);
                } catch (MalformedModuleException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
    }

    private static int countGrows(byte[] bytes, ModuleInfo info) throws MalformedModuleException {
        ModuleInfo.Section code = info.section(10).orElseThrow();
        ByteReader r = new ByteReader(bytes, code.payloadStart(), code.end());
        int n = r.index();
        int grows = 0;
        for (int i = 0; i < n; i++) {
            int size = r.index();
            grows += CodeScanner.scan(bytes, r, r.pos() + size, null, 0);
        }
        return grows;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
