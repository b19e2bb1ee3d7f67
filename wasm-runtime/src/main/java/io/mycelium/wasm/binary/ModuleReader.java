package io.mycelium.wasm.binary;

import io.mycelium.wasm.binary.ModuleInfo.Export;
import io.mycelium.wasm.binary.ModuleInfo.ExternKind;
import io.mycelium.wasm.binary.ModuleInfo.FuncType;
import io.mycelium.wasm.binary.ModuleInfo.Import;
import io.mycelium.wasm.binary.ModuleInfo.MemoryLimits;
import io.mycelium.wasm.binary.ModuleInfo.Section;
import io.mycelium.wasm.binary.ModuleInfo.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the parts of a WebAssembly binary module the host decides on: types, imports, functions, memories, globals
 * (their count), exports and the layout of every section. Function bodies are not decoded here.
 *
 * <pre>
 * module  := magic "\0asm" | version 01 00 00 00 | section*
 * section := id:u8 | size:u32 (LEB128) | payload[size]
 *            custom (id 0): name | bytes; the others appear at most once, in the order
 *            type 1, import 2, function 3, table 4, memory 5, tag 13, global 6, export 7, start 8, element 9,
 *            data count 12, code 10, data 11
 * </pre>
 */
public final class ModuleReader {
    /** Section ids in the order the binary format requires them. */
    static final int[] ORDER = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};

    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6D};

    private ModuleReader() {}

    /** The rank of section {@code id} in {@link #ORDER}, or -1 for an unknown id. */
    static int rank(int id) {
        for (int i = 0; i < ORDER.length; i++) {
            if (ORDER[i] == id) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Reads {@code bytes}.
     *
     * @throws MalformedModuleException when they are not a well-formed binary module
     */
    public static ModuleInfo read(byte[] bytes) throws MalformedModuleException {
        if (bytes.length < 8) {
            throw new MalformedModuleException(-1, "too short for a WebAssembly module (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < 4; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new MalformedModuleException(0, "not a WebAssembly binary (no \\0asm magic number)");
            }
        }
        if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
            throw new MalformedModuleException(4, "unsupported binary format version (only version 1 is)");
        }
        List<FuncType> types = new ArrayList<>();
        List<Import> imports = new ArrayList<>();
        List<Integer> functionTypes = new ArrayList<>();
        List<MemoryLimits> memories = new ArrayList<>();
        List<Export> exports = new ArrayList<>();
        List<Section> sections = new ArrayList<>();
        int definedGlobals = 0;
        int lastRank = -1;

        ByteReader r = new ByteReader(bytes, 8, bytes.length);
        while (!r.atEnd()) {
            int start = r.pos();
            int id = r.u8();
            int size = r.index();
            int payloadStart = r.pos();
            if (size > r.end() - payloadStart) {
                throw new MalformedModuleException(start, "section " + id + " of " + size + " bytes runs past the end");
            }
            int end = payloadStart + size;
            int outer = r.limit(end);
            String name = null;
            if (id == 0) {
                name = r.name();
                payloadStart = r.pos();
            } else {
                int rank = rank(id);
                if (rank < 0) {
                    throw new MalformedModuleException(start, "unknown section id " + id);
                }
                if (rank <= lastRank) {
                    throw new MalformedModuleException(start, "section " + id + " is repeated or out of order");
                }
                lastRank = rank;
                switch (id) {
                    case 1 -> readTypes(r, types);
                    case 2 -> readImports(r, imports);
                    case 3 -> readFunctions(r, functionTypes);
                    case 5 -> readMemories(r, memories);
                    case 6 -> definedGlobals = r.index();
                    case 7 -> readExports(r, exports);
                    default -> {}
                }
            }
            sections.add(new Section(id, name, start, payloadStart, end));
            r.restoreLimit(outer);
            r.skip(end - r.pos());
        }
        return new ModuleInfo(types, imports, functionTypes, memories, definedGlobals, exports, sections);
    }

    private static void readTypes(ByteReader r, List<FuncType> types) throws MalformedModuleException {
        int n = r.index();
        for (int i = 0; i < n; i++) {
            int at = r.pos();
            int form = r.u8();
            if (form != 0x60) {
                throw new MalformedModuleException(
                        at, String.format("type %d is not a function type (0x%02x)", i, form));
            }
            types.add(new FuncType(valueTypes(r), valueTypes(r)));
        }
    }

    private static List<ValueType> valueTypes(ByteReader r) throws MalformedModuleException {
        int n = r.index();
        List<ValueType> list = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            int at = r.pos();
            list.add(ValueType.of(r.u8(), at));
        }
        return list;
    }

    private static void readImports(ByteReader r, List<Import> imports) throws MalformedModuleException {
        int n = r.index();
        for (int i = 0; i < n; i++) {
            String module = r.name();
            String name = r.name();
            int at = r.pos();
            ExternKind kind = ExternKind.of(r.u8(), at);
            int typeIndex = -1;
            switch (kind) {
                case FUNCTION -> typeIndex = r.index();
                case TABLE -> {
                    r.u8(); // reference type
                    limits(r);
                }
                case MEMORY -> limits(r);
                case GLOBAL -> {
                    r.u8(); // value type
                    r.u8(); // mutability
                }
                case TAG -> {
                    r.u8(); // attribute
                    typeIndex = r.index();
                }
            }
            imports.add(new Import(module, name, kind, typeIndex));
        }
    }

    private static void readFunctions(ByteReader r, List<Integer> functionTypes) throws MalformedModuleException {
        int n = r.index();
        for (int i = 0; i < n; i++) {
            functionTypes.add(r.index());
        }
    }

    private static void readMemories(ByteReader r, List<MemoryLimits> memories) throws MalformedModuleException {
        int n = r.index();
        for (int i = 0; i < n; i++) {
            memories.add(limits(r));
        }
    }

    private static MemoryLimits limits(ByteReader r) throws MalformedModuleException {
        int at = r.pos();
        int flags = r.u8();
        if ((flags & ~0x07) != 0) {
            throw new MalformedModuleException(at, String.format("unknown limits flags 0x%02x", flags));
        }
        boolean wide = (flags & 0x04) != 0;
        long min = wide ? r.s64() : r.u32();
        long max = (flags & 0x01) != 0 ? (wide ? r.s64() : r.u32()) : -1;
        return new MemoryLimits(flags, min, max);
    }

    private static void readExports(ByteReader r, List<Export> exports) throws MalformedModuleException {
        int n = r.index();
        for (int i = 0; i < n; i++) {
            String name = r.name();
            int at = r.pos();
            ExternKind kind = ExternKind.of(r.u8(), at);
            exports.add(new Export(name, kind, r.index()));
        }
    }
}
