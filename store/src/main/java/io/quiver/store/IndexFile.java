package io.quiver.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One file of the message index: a hash table from key hash to a chain of entries, each entry naming a
 * commit-log offset and a store time. Layout: a 64-byte header ({@code magic, version, slotCount,
 * entryCapacity, entryCount, beginTimestamp, endTimestamp, beginPhyOffset, endPhyOffset}), then
 * {@code slotCount} int slots (latest entry number + 1, 0 = empty), then {@code entryCapacity} entries of
 * 24 bytes ({@code keyHash int, phyOffset long, storeTimestamp long, prevEntry int}). Written only by the
 * index thread; entries are complete before the slot that points at them and the header count change.
 * Readers verify every record they find, so a torn or stale entry can only cost a wasted read.
 */
final class IndexFile {
    static final int MAGIC = 0x51494458; // "QIDX"
    static final int HEADER_BYTES = 64;
    static final int ENTRY_BYTES = 24;

    private final MappedSegment segment;
    private final ByteBuffer buf;
    private final int slotCount;
    private final int entryCapacity;
    private volatile int entryCount;

    private IndexFile(MappedSegment segment, int slotCount, int entryCapacity) {
        this.segment = segment;
        this.buf = segment.buffer();
        this.slotCount = slotCount;
        this.entryCapacity = entryCapacity;
    }

    static int fileBytes(int slots, int entries) {
        return HEADER_BYTES + slots * 4 + entries * ENTRY_BYTES;
    }

    static IndexFile create(Disk disk, Path dir, long beginPhyOffset, int slots, int entries) {
        MappedSegment seg = MappedSegment.create(disk, dir, beginPhyOffset, fileBytes(slots, entries), false);
        IndexFile f = new IndexFile(seg, slots, entries);
        f.buf.putInt(0, MAGIC).putInt(4, 1).putInt(8, slots).putInt(12, entries).putInt(16, 0)
            .putLong(20, 0).putLong(28, 0).putLong(36, beginPhyOffset).putLong(44, beginPhyOffset);
        return f;
    }

    /** Opens an existing file; null if its header is not an index header of these dimensions. */
    static IndexFile open(Disk disk, Path path, long base, int slots, int entries) {
        MappedSegment seg = MappedSegment.open(disk, path, base, fileBytes(slots, entries));
        ByteBuffer b = seg.buffer();
        if (b.getInt(0) != MAGIC || b.getInt(8) != slots || b.getInt(12) != entries) {
            seg.close();
            return null;
        }
        IndexFile f = new IndexFile(seg, slots, entries);
        f.entryCount = Math.min(b.getInt(16), entries);
        return f;
    }

    boolean isFull() {
        return entryCount >= entryCapacity;
    }

    int entryCount() {
        return entryCount;
    }

    int capacity() {
        return entryCapacity;
    }

    long beginTimestamp() {
        return buf.getLong(20);
    }

    long endTimestamp() {
        return buf.getLong(28);
    }

    /** Commit-log offset up to which records have been indexed into this file. */
    long endPhyOffset() {
        return buf.getLong(44);
    }

    MappedSegment segment() {
        return segment;
    }

    /** Index thread only. Adds one key; the caller has checked {@link #isFull()}. */
    void add(int keyHash, long phyOffset, long storeTimestamp) {
        int n = entryCount;
        int slotPos = HEADER_BYTES + (keyHash % slotCount) * 4;
        int prev = buf.getInt(slotPos);
        int entryPos = HEADER_BYTES + slotCount * 4 + n * ENTRY_BYTES;
        buf.putInt(entryPos, keyHash).putLong(entryPos + 4, phyOffset).putLong(entryPos + 12, storeTimestamp)
            .putInt(entryPos + 20, prev);
        buf.putInt(slotPos, n + 1);
        if (n == 0 || beginTimestamp() == 0) {
            buf.putLong(20, storeTimestamp);
        }
        buf.putLong(28, Math.max(endTimestamp(), storeTimestamp));
        entryCount = n + 1;
        buf.putInt(16, n + 1);
    }

    /** Index thread only: records that everything before {@code phyOffset} is indexed. */
    void markIndexedUpTo(long phyOffset) {
        buf.putLong(44, phyOffset);
    }

    /** Collects up to {@code max} offsets of entries with {@code keyHash} stored within [begin, end]. */
    void lookup(int keyHash, long begin, long end, int max, List<Long> out) {
        int slotPos = HEADER_BYTES + (keyHash % slotCount) * 4;
        int e = buf.getInt(slotPos);
        // The writer fills the entry, then the slot, then the count: a reader may see the slot of the entry being
        // published before its count. That one entry is followed (whatever it names is checked by the caller); a
        // slot further ahead is damage.
        int count = entryCount;
        if (e == count + 1) {
            count = e;
        }
        int steps = 0;
        while (e > 0 && e <= count && out.size() < max && steps++ <= count) {
            int entryPos = HEADER_BYTES + slotCount * 4 + (e - 1) * ENTRY_BYTES;
            long ts = buf.getLong(entryPos + 12);
            if (buf.getInt(entryPos) == keyHash && ts >= begin && ts <= end) {
                out.add(buf.getLong(entryPos + 4));
            }
            int prev = buf.getInt(entryPos + 20);
            if (prev >= e) {
                break; // chains only point backwards; anything else is damage
            }
            e = prev;
        }
    }

    void flush() {
        segment.force();
    }

    void close() {
        segment.close();
    }
}
