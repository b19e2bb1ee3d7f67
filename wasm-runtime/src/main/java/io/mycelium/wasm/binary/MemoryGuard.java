package io.mycelium.wasm.binary;

import io.mycelium.wasm.binary.ModuleInfo.ExternKind;
import io.mycelium.wasm.binary.ModuleInfo.FuncType;
import io.mycelium.wasm.binary.ModuleInfo.MemoryLimits;
import io.mycelium.wasm.binary.ModuleInfo.Section;
import io.mycelium.wasm.binary.ModuleInfo.ValueType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a module so that its linear memory can never grow past a cap, and so that an attempt to is recognisable.
 * Two changes, both inside the module, so that they hold whatever the engine does:
 *
 * <ol>
 *   <li>the memory's declared maximum becomes {@code min(declared maximum, cap)}: the engine refuses any growth past
 *       it (the hard limit);
 *   <li>when the code has {@code memory.grow} instructions, each becomes a call to an appended guard function that
 *       grows the memory as before when the result fits the cap, and otherwise stores the number of pages asked for
 *       in an appended, exported i64 global ({@link #REQUEST_EXPORT}) and traps. The host reads that global after a
 *       trap to report "memory limit exceeded" instead of a plain trap.
 * </ol>
 *
 * <p>Function, global and type indices of the original module do not move: the guard, its global and (when missing)
 * its type {@code (i32) -> i32} are appended at the end of their index spaces. DWARF custom sections ({@code
 * .debug_*}) are dropped when code changes, as their code offsets would no longer hold; the {@code name} section,
 * which stack traces use, is kept.
 */
public final class MemoryGuard {
    /** The exported i64 global that holds the pages a refused {@code memory.grow} asked for (0 while none was). */
    public static final String REQUEST_EXPORT = "__mycelium_memory_request";

    private MemoryGuard() {}

    /**
     * The guarded module.
     *
     * @param bytes the rewritten module
     * @param growSites how many {@code memory.grow} instructions now call the guard
     */
    public record Guarded(byte[] bytes, int growSites) {}

    /**
     * Caps the memory of the module {@code bytes} (read as {@code info}) at {@code capPages} pages.
     *
     * @throws IllegalArgumentException when the module imports a memory, has more than one, or its initial size is
     *     already over the cap: the caller checks those first and reports them better
     * @throws MalformedModuleException when the code cannot be decoded
     */
    public static Guarded apply(byte[] bytes, ModuleInfo info, long capPages) throws MalformedModuleException {
        if (info.importCount(ExternKind.MEMORY) > 0 || info.memories().size() > 1) {
            throw new IllegalArgumentException("only a module defining at most one memory can be guarded");
        }
        if (info.memories().isEmpty()) {
            return new Guarded(bytes, 0);
        }
        MemoryLimits memory = info.memories().get(0);
        if ((memory.flags() & ~0x01) != 0) {
            throw new MalformedModuleException(
                    info.section(5).map(Section::payloadStart).orElse(-1),
                    "shared and 64-bit memories are not supported");
        }
        if (memory.minPages() > capPages) {
            throw new IllegalArgumentException(
                    "initial memory " + memory.minPages() + " pages is over the cap of " + capPages);
        }
        Map<Integer, byte[]> payloads = new LinkedHashMap<>();
        long max = memory.maxPages() < 0 ? capPages : Math.min(memory.maxPages(), capPages);
        ByteArrayOutputStream mem = new ByteArrayOutputStream();
        Leb128.writeU32(mem, 1);
        mem.write(0x01);
        Leb128.writeU32(mem, memory.minPages());
        Leb128.writeU32(mem, max);
        payloads.put(5, mem.toByteArray());

        Section code = info.section(10).orElse(null);
        int grows = code == null ? 0 : rewriteCode(bytes, code, null, 0);
        if (grows > 0) {
            guardGrowth(bytes, info, capPages, code, payloads);
        }
        return new Guarded(assemble(bytes, info, payloads, grows > 0), grows);
    }

    private static void guardGrowth(
            byte[] bytes, ModuleInfo info, long capPages, Section code, Map<Integer, byte[]> payloads)
            throws MalformedModuleException {
        FuncType guardType = new FuncType(List.of(ValueType.I32), List.of(ValueType.I32));
        int typeIndex = info.types().indexOf(guardType);
        if (typeIndex < 0) {
            typeIndex = info.types().size();
            payloads.put(1, append(bytes, info.section(1).orElse(null), new byte[] {0x60, 0x01, 0x7F, 0x01, 0x7F}));
        }
        int guardIndex =
                info.importCount(ExternKind.FUNCTION) + info.functionTypes().size();
        int globalIndex = info.importCount(ExternKind.GLOBAL) + info.definedGlobals();

        ByteArrayOutputStream fn = new ByteArrayOutputStream();
        Leb128.writeU32(fn, typeIndex);
        payloads.put(3, append(bytes, info.section(3).orElse(null), fn.toByteArray()));

        // (global (mut i64) (i64.const 0))
        payloads.put(6, append(bytes, info.section(6).orElse(null), new byte[] {0x7E, 0x01, 0x42, 0x00, 0x0B}));

        ByteArrayOutputStream export = new ByteArrayOutputStream();
        Leb128.writeName(export, REQUEST_EXPORT);
        export.write(0x03);
        Leb128.writeU32(export, globalIndex);
        payloads.put(7, append(bytes, info.section(7).orElse(null), export.toByteArray()));

        ByteArrayOutputStream codeOut = new ByteArrayOutputStream();
        rewriteCode(bytes, code, codeOut, guardIndex);
        byte[] guard = guardBody(capPages, globalIndex);
        Leb128.writeU32(codeOut, guard.length);
        codeOut.writeBytes(guard);
        // rewriteCode wrote the bodies without the count: put the new count in front.
        ByteArrayOutputStream codeSection = new ByteArrayOutputStream();
        Leb128.writeU32(codeSection, info.functionTypes().size() + 1L);
        codeSection.writeBytes(codeOut.toByteArray());
        payloads.put(10, codeSection.toByteArray());
    }

    /**
     * The guard: {@code (func (param $pages i32) (result i32))} that grows by {@code $pages} when the result stays
     * within {@code capPages}, else records the request and traps.
     */
    private static byte[] guardBody(long capPages, int globalIndex) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x00); // no locals
        byte[] requested = {
            0x3F,
            0x00, // memory.size
            (byte) 0xAD, // i64.extend_i32_u
            0x20,
            0x00, // local.get $pages
            (byte) 0xAD, // i64.extend_i32_u
            0x7C // i64.add
        };
        b.writeBytes(requested);
        b.write(0x42); // i64.const cap
        Leb128.writeS64(b, capPages);
        b.write(0x56); // i64.gt_u
        b.writeBytes(new byte[] {0x04, 0x40}); // if
        b.writeBytes(requested);
        b.write(0x24); // global.set
        Leb128.writeU32(b, globalIndex);
        b.write(0x00); // unreachable
        b.write(0x0B); // end (if)
        b.writeBytes(new byte[] {0x20, 0x00, 0x40, 0x00}); // local.get $pages; memory.grow 0
        b.write(0x0B); // end
        return b.toByteArray();
    }

    /**
     * Scans (when {@code out} is null) or rewrites the code section's bodies, writing each body's new size and
     * bytes, without the function count.
     */
    private static int rewriteCode(byte[] bytes, Section code, ByteArrayOutputStream out, int guardIndex)
            throws MalformedModuleException {
        ByteReader r = new ByteReader(bytes, code.payloadStart(), code.end());
        int n = r.index();
        int grows = 0;
        ByteArrayOutputStream body = out == null ? null : new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            int size = r.index();
            int start = r.pos();
            if (size > r.end() - start) {
                throw new MalformedModuleException(start, "function body " + i + " runs past the code section");
            }
            if (body != null) {
                body.reset();
            }
            grows += CodeScanner.scan(bytes, r, start + size, body, guardIndex);
            if (out != null) {
                Leb128.writeU32(out, body.size());
                out.writeBytes(body.toByteArray());
            }
        }
        if (!r.atEnd()) {
            throw new MalformedModuleException(r.pos(), "junk after the last function body");
        }
        return grows;
    }

    /** The payload of {@code section} (a vector) with one more entry, {@code entry}, at the end. */
    private static byte[] append(byte[] bytes, Section section, byte[] entry) throws MalformedModuleException {
        int count = 0;
        int entriesStart = 0;
        int entriesEnd = 0;
        if (section != null) {
            ByteReader r = new ByteReader(bytes, section.payloadStart(), section.end());
            count = r.index();
            entriesStart = r.pos();
            entriesEnd = section.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Leb128.writeU32(out, count + 1L);
        out.write(bytes, entriesStart, entriesEnd - entriesStart);
        out.writeBytes(entry);
        return out.toByteArray();
    }

    /** The module with {@code payloads} replacing (or, when missing, adding) the sections of those ids. */
    private static byte[] assemble(byte[] bytes, ModuleInfo info, Map<Integer, byte[]> payloads, boolean codeChanged) {
        List<Integer> missing = new ArrayList<>(payloads.keySet());
        for (Section s : info.sections()) {
            missing.remove(Integer.valueOf(s.id()));
        }
        missing.sort((a, b) -> Integer.compare(ModuleReader.rank(a), ModuleReader.rank(b)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 256);
        out.write(bytes, 0, 8);
        for (Section s : info.sections()) {
            if (s.id() == 0) {
                if (!(codeChanged && s.name().startsWith(".debug_"))) {
                    out.write(bytes, s.start(), s.end() - s.start());
                }
                continue;
            }
            while (!missing.isEmpty() && ModuleReader.rank(missing.get(0)) < ModuleReader.rank(s.id())) {
                int id = missing.remove(0);
                section(out, id, payloads.get(id));
            }
            byte[] payload = payloads.get(s.id());
            if (payload == null) {
                out.write(bytes, s.start(), s.end() - s.start());
            } else {
                section(out, s.id(), payload);
            }
        }
        for (int id : missing) {
            section(out, id, payloads.get(id));
        }
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] payload) {
        out.write(id);
        Leb128.writeU32(out, payload.length);
        out.writeBytes(payload);
    }
}
