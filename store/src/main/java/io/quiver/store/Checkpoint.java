package io.quiver.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The store's recovery checkpoint: a commit-log offset below which every record is on disk and indexed
 * in forced consume queues, and whether the last stop was clean (then the recorded end is exact and no
 * scan is needed). Written atomically (temp file, force, rename) by the flush thread and at shutdown.
 *
 * @param safeOffset   records below this offset are durable and indexed
 * @param endOffset    the commit log's write position at a clean stop (equals safeOffset then)
 * @param clean        true only when written by a clean shutdown
 */
record Checkpoint(long safeOffset, long endOffset, boolean clean) {
    private static final int MAGIC = 0x51434B50; // "QCKP"
    private static final int VERSION = 1;
    private static final int BYTES = 4 + 4 + 8 + 8 + 1 + 4;

    static final Checkpoint EMPTY = new Checkpoint(0, 0, false);

    static Checkpoint read(Disk disk, Path file) {
        byte[] content = disk.read(file);
        if (content == null) {
            return EMPTY;
        }
        ByteBuffer b = ByteBuffer.wrap(content);
        if (b.remaining() < BYTES || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            return EMPTY;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, BYTES - 4);
        if ((int) crc.getValue() != b.getInt(BYTES - 4)) {
            return EMPTY;
        }
        return new Checkpoint(b.getLong(8), b.getLong(16), b.get(24) == 1);
    }

    void write(Disk disk, Path file) {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putInt(VERSION).putLong(safeOffset).putLong(endOffset).put((byte) (clean ? 1 : 0));
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, BYTES - 4);
        b.putInt((int) crc.getValue());
        disk.replace(file, b.array());
    }
}
