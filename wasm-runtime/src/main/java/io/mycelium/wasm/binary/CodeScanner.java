package io.mycelium.wasm.binary;

import java.io.ByteArrayOutputStream;

/**
 * Walks the instructions of one function body, opcode by opcode, and replaces every {@code memory.grow} by a call
 * to a given function. Immediates are decoded only as far as needed to find where the next instruction starts.
 *
 * <pre>
 * body        := locals:vec(count:u32 type) | instr* | end (0x0B)
 * memory.grow := 0x40 memidx:u32              (2 bytes: 40 00)
 * replaced by := 0x10 funcidx:u32             (call; 2 or more bytes)
 * </pre>
 *
 * <p>Covers the instruction set GraalWasm enables by default: the 2.0 core (multi-value, reference types, bulk
 * memory, non-trapping conversions, sign extension, fixed-width SIMD), plus tail calls, typed function references,
 * legacy exceptions and atomics so that a module using them is not misread. An opcode it does not know is a
 * {@link MalformedModuleException}: the scan never guesses.
 */
final class CodeScanner {
    private CodeScanner() {}

    /**
     * Scans the body in {@code [r.pos(), end)}. When {@code out} is not null, writes the body (locals and
     * instructions, without its size) with every {@code memory.grow} replaced by {@code call hookIndex}.
     *
     * @return how many {@code memory.grow} instructions the body has
     */
    static int scan(byte[] bytes, ByteReader r, int end, ByteArrayOutputStream out, int hookIndex)
            throws MalformedModuleException {
        int outer = r.limit(end);
        int mark = r.pos();
        int grows = 0;
        int localGroups = r.index();
        for (int i = 0; i < localGroups; i++) {
            r.u32();
            valueType(r);
        }
        int last = -1;
        while (!r.atEnd()) {
            int at = r.pos();
            last = r.u8();
            if (last == 0x40) {
                r.u32(); // memory index
                grows++;
                if (out != null) {
                    out.write(bytes, mark, at - mark);
                    out.write(0x10);
                    Leb128.writeU32(out, hookIndex);
                    mark = r.pos();
                }
            } else {
                immediates(r, last, at);
            }
        }
        if (last != 0x0B) {
            throw new MalformedModuleException(end, "function body does not end with 'end'");
        }
        if (out != null) {
            out.write(bytes, mark, end - mark);
        }
        r.restoreLimit(outer);
        return grows;
    }

    private static void immediates(ByteReader r, int op, int at) throws MalformedModuleException {
        switch (op) {
            // unreachable, nop, else, end, return, drop, select, catch_all, ref.is_null, ref.as_non_null
            case 0x00, 0x01, 0x05, 0x0B, 0x0F, 0x19, 0x1A, 0x1B, 0xD1, 0xD3 -> {}
            case 0x02, 0x03, 0x04, 0x06 -> blockType(r); // block, loop, if, try
            // br, br_if, call, catch, throw, rethrow, return_call, call_ref, return_call_ref, delegate, ref.func,
            // br_on_null, br_on_non_null
            case 0x07, 0x08, 0x09, 0x0C, 0x0D, 0x10, 0x12, 0x14, 0x15, 0x18, 0xD2, 0xD4, 0xD6 -> r.u32();
            case 0x0E -> { // br_table
                int n = r.index();
                for (int i = 0; i <= n; i++) {
                    r.u32();
                }
            }
            case 0x11, 0x13 -> { // call_indirect, return_call_indirect: type index, table index
                r.u32();
                r.u32();
            }
            case 0x1C -> { // select with types
                int n = r.index();
                for (int i = 0; i < n; i++) {
                    valueType(r);
                }
            }
            case 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26 -> r.u32(); // local.*, global.*, table.get/set
            case 0x3F -> r.u32(); // memory.size
            case 0x41 -> r.skipSigned(32);
            case 0x42 -> r.skipSigned(64);
            case 0x43 -> r.skip(4);
            case 0x44 -> r.skip(8);
            case 0xD0 -> r.skipSigned(33); // ref.null heap type
            case 0xFC -> miscellaneous(r, at);
            case 0xFD -> vector(r, at);
            case 0xFE -> atomic(r, at);
            default -> {
                if (op >= 0x28 && op <= 0x3E) {
                    memarg(r); // loads and stores
                } else if (op < 0x45 || op > 0xC4) { // 0x45..0xC4: numeric instructions without immediates
                    throw new MalformedModuleException(at, String.format("unknown opcode 0x%02x", op));
                }
            }
        }
    }

    private static void miscellaneous(ByteReader r, int at) throws MalformedModuleException {
        long sub = r.u32();
        if (sub <= 7) {
            return; // saturating truncations
        }
        switch ((int) sub) {
            case 8, 10, 12, 14 -> { // memory.init, memory.copy, table.init, table.copy
                r.u32();
                r.u32();
            }
            case 9, 11, 13, 15, 16, 17 -> r.u32(); // data.drop, memory.fill, elem.drop, table.grow/size/fill
            default -> throw new MalformedModuleException(at, "unknown opcode 0xFC " + sub);
        }
    }

    private static void vector(ByteReader r, int at) throws MalformedModuleException {
        long sub = r.u32();
        if (sub <= 11 || sub == 92 || sub == 93) {
            memarg(r); // v128 loads, store, load32_zero, load64_zero
        } else if (sub == 12 || sub == 13) {
            r.skip(16); // v128.const, i8x16.shuffle
        } else if (sub >= 21 && sub <= 34) {
            r.u8(); // extract_lane, replace_lane
        } else if (sub >= 84 && sub <= 91) {
            memarg(r); // load_lane, store_lane
            r.u8();
        } else if (sub > 0x1FF) {
            throw new MalformedModuleException(at, "unknown opcode 0xFD " + sub);
        }
    }

    private static void atomic(ByteReader r, int at) throws MalformedModuleException {
        long sub = r.u32();
        if (sub == 3) {
            r.u8(); // atomic.fence
        } else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4E)) {
            memarg(r);
        } else {
            throw new MalformedModuleException(at, "unknown opcode 0xFE " + sub);
        }
    }

    private static void memarg(ByteReader r) throws MalformedModuleException {
        long align = r.u32();
        if ((align & 0x40) != 0) {
            r.u32(); // memory index (multi-memory)
        }
        r.u32(); // offset
    }

    private static void blockType(ByteReader r) throws MalformedModuleException {
        int b = r.peek();
        if (b == 0x40 || b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F) {
            r.u8();
        } else if (b == 0x63 || b == 0x64) {
            r.u8(); // (ref null? ht)
            r.skipSigned(33);
        } else {
            r.skipSigned(33); // type index
        }
    }

    private static void valueType(ByteReader r) throws MalformedModuleException {
        int b = r.u8();
        if (b == 0x63 || b == 0x64) {
            r.skipSigned(33); // (ref null? ht)
        }
    }
}
