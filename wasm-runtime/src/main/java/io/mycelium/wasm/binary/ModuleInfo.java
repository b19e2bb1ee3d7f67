package io.mycelium.wasm.binary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the host needs to know about a module before running it: its function types, imports, exports, memories and
 * where each section lies. Read by {@link ModuleReader}; GraalWasm still validates the whole module.
 *
 * @param types the type section's function types
 * @param imports every import, in order
 * @param functionTypes the type index of each function the module defines (after the imported ones)
 * @param memories the memories the module defines
 * @param definedGlobals how many globals the module defines
 * @param exports every export, in order
 * @param sections every section, in order, custom ones included
 */
public record ModuleInfo(
        List<FuncType> types,
        List<Import> imports,
        List<Integer> functionTypes,
        List<MemoryLimits> memories,
        int definedGlobals,
        List<Export> exports,
        List<Section> sections) {

    /** One page of linear memory: 64 KiB. */
    public static final int PAGE_SIZE = 65_536;

    public ModuleInfo {
        types = List.copyOf(types);
        imports = List.copyOf(imports);
        functionTypes = List.copyOf(functionTypes);
        memories = List.copyOf(memories);
        exports = List.copyOf(exports);
        sections = List.copyOf(sections);
    }

    /** How many imports of {@code kind} there are: imported items come first in their index space. */
    public int importCount(ExternKind kind) {
        return (int) imports.stream().filter(i -> i.kind() == kind).count();
    }

    /** The export named {@code name}, if any. */
    public Optional<Export> export(String name) {
        return exports.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The names of the exported functions, in export order. */
    public List<String> functionExports() {
        return exports.stream()
                .filter(e -> e.kind() == ExternKind.FUNCTION)
                .map(Export::name)
                .collect(Collectors.toList());
    }

    /** The type of function {@code index} (imported functions first, then defined ones). */
    public Optional<FuncType> functionType(int index) {
        List<Import> funcImports = new ArrayList<>();
        for (Import i : imports) {
            if (i.kind() == ExternKind.FUNCTION) {
                funcImports.add(i);
            }
        }
        int typeIndex;
        if (index < funcImports.size()) {
            typeIndex = funcImports.get(index).typeIndex();
        } else if (index - funcImports.size() < functionTypes.size()) {
            typeIndex = functionTypes.get(index - funcImports.size());
        } else {
            return Optional.empty();
        }
        return typeIndex < types.size() ? Optional.of(types.get(typeIndex)) : Optional.empty();
    }

    /** The first section with {@code id}, if any (custom sections, id 0, may repeat). */
    public Optional<Section> section(int id) {
        return sections.stream().filter(s -> s.id() == id).findFirst();
    }

    /** Kinds of imports and exports. */
    public enum ExternKind {
        FUNCTION,
        TABLE,
        MEMORY,
        GLOBAL,
        TAG;

        static ExternKind of(int code, long offset) throws MalformedModuleException {
            return switch (code) {
                case 0 -> FUNCTION;
                case 1 -> TABLE;
                case 2 -> MEMORY;
                case 3 -> GLOBAL;
                case 4 -> TAG;
                default -> throw new MalformedModuleException(offset, "unknown import/export kind " + code);
            };
        }
    }

    /** Value types as they appear in function types. */
    public enum ValueType {
        I32(0x7F),
        I64(0x7E),
        F32(0x7D),
        F64(0x7C),
        V128(0x7B),
        FUNCREF(0x70),
        EXTERNREF(0x6F);

        final int code;

        ValueType(int code) {
            this.code = code;
        }

        static ValueType of(int code, long offset) throws MalformedModuleException {
            for (ValueType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new MalformedModuleException(offset, String.format("unknown value type 0x%02x", code));
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A function type: parameters and results. */
    public record FuncType(List<ValueType> params, List<ValueType> results) {
        public FuncType {
            params = List.copyOf(params);
            results = List.copyOf(results);
        }

        @Override
        public String toString() {
            return params.stream().map(ValueType::toString).collect(Collectors.joining(", ", "(", ")")) + " -> "
                    + (results.isEmpty()
                            ? "()"
                            : results.size() == 1
                                    ? results.get(0).toString()
                                    : results.stream()
                                            .map(ValueType::toString)
                                            .collect(Collectors.joining(", ", "(", ")")));
        }
    }

    /**
     * One import.
     *
     * @param typeIndex the function type index for a function import, else -1
     */
    public record Import(String module, String name, ExternKind kind, int typeIndex) {}

    /** One export: its name, kind and index in that kind's index space. */
    public record Export(String name, ExternKind kind, int index) {}

    /**
     * A memory's limits in pages of 64 KiB.
     *
     * @param flags the limits flags byte (0: min only, 1: min and max; others are shared or 64-bit memories)
     * @param maxPages the declared maximum, or -1 when there is none
     */
    public record MemoryLimits(int flags, long minPages, long maxPages) {}

    /**
     * A section's place in the module.
     *
     * @param id the section id (0 for custom sections)
     * @param name a custom section's name, else null
     * @param start the offset of the section id byte
     * @param payloadStart the offset of the section's content (after the size; after the name for custom sections)
     * @param end the offset just past the section
     */
    public record Section(int id, String name, int start, int payloadStart, int end) {}
}
