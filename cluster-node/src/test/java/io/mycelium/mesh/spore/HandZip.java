package io.mycelium.mesh.spore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zips written byte by byte, for what {@code ZipOutputStream} refuses to write: repeated names and sizes that lie.
 *
 * <pre>
 * local header  | PK\3\4 ver flags method time date crc csize usize nameLen extraLen | name | data
 * central entry | PK\1\2 made ver flags method time date crc csize usize nameLen 0 0 0 0 0 offset | name
 * end           | PK\5\6 0 0 count count cdSize cdOffset 0
 * </pre>
 */
final class HandZip {
    private HandZip() {}

    /** Stored entries, in order; {@code claimedSizes} (or null) overrides each entry's declared sizes. */
    static byte[] stored(String[] names, byte[][] data, int[] claimedSizes) {
        int[] methods = new int[names.length];
        return build(names, data, data, methods, claimedSizes);
    }

    /** manifest.json stored, then {@code name} deflated with both declared sizes set to {@code claimed}. */
    static byte[] withLyingSize(String name, byte[] data, int claimed, byte[] manifest) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        byte[] deflated = compressed.toByteArray();
        return build(
                new String[] {"manifest.json", name},
                new byte[][] {manifest, deflated},
                new byte[][] {manifest, data},
                new int[] {0, 8},
                new int[] {manifest.length, claimed});
    }

    private static byte[] build(String[] names, byte[][] raw, byte[][] plain, int[] methods, int[] claimedSizes) {
        ByteBuffer local = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer central = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < names.length; i++) {
            byte[] name = names[i].getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(plain[i]);
            int usize = claimedSizes == null ? plain[i].length : claimedSizes[i];
            int offset = local.position();
            local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) methods[i]);
            local.putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue());
            local.putInt(raw[i].length)
                    .putInt(usize)
                    .putShort((short) name.length)
                    .putShort((short) 0);
            local.put(name).put(raw[i]);
            central.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
            central.putShort((short) methods[i]).putShort((short) 0).putShort((short) 0x21);
            central.putInt((int) crc.getValue()).putInt(raw[i].length).putInt(usize);
            central.putShort((short) name.length).putShort((short) 0).putShort((short) 0);
            central.putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(offset)
                    .put(name);
        }
        int cdOffset = local.position();
        int cdSize = central.position();
        local.put(central.flip());
        local.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
        local.putShort((short) names.length).putShort((short) names.length);
        local.putInt(cdSize).putInt(cdOffset).putShort((short) 0);
        byte[] out = new byte[local.position()];
        local.flip().get(out);
        return out;
    }
}
