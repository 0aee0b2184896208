package io.quiver.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The index of one queue of one topic: entry {@code n} (the queue offset) is 20 bytes at byte {@code n*20}
 * holding the record's commit-log offset, its size and its tag hash. Appended only under the store's
 * append lock; read by any thread below {@link #maxOffset()}, which is published after the entry is
 * written.
 */
final class ConsumeQueue {
    static final int ENTRY_BYTES = 20;
    /**
     * Files are created sparse, and blocks are reserved this many bytes at a time with an ordinary write of
     * zeros just before entries are stored there through the mapping. So a new queue costs no I/O up front
     * (zero-filling 6 MB per queue made a 1 024-queue topic write 6 GB), and a full disk is still reported
     * by a write, as an error, instead of a SIGBUS in a mapped store.
     */
    static final int RESERVE_CHUNK_BYTES = 64 * 1024;

    private final String topic;
    private final int queueId;
    private final SegmentedFile file;
    private volatile long maxOffset;
    private volatile long minOffset;
    /** Writer only: byte offset below which blocks are known to be reserved. */
    private long reservedEnd;

    ConsumeQueue(Disk disk, String topic, int queueId, Path dir, int entriesPerFile) {
        this.topic = topic;
        this.queueId = queueId;
        this.file = new SegmentedFile(disk, dir, entriesPerFile * ENTRY_BYTES, true);
    }

    String topic() {
        return topic;
    }

    int queueId() {
        return queueId;
    }

    /**
     * Maps existing files and finds the end: an empty entry (size 0; a written entry never has one) after a
     * written one, in the newest file that has any. After a power loss, files may exist whose entries never
     * reached the disk, and pages may be missing in the middle; any end found lies at or after the first
     * missing entry, and those entries all belong to records after the checkpoint, which recovery indexes
     * again (the checkpoint is written only after the queues are forced).
     */
    void load() {
        file.load();
        MappedSegment first = file.first();
        if (first == null) {
            return;
        }
        minOffset = first.baseOffset() / ENTRY_BYTES;
        maxOffset = minOffset;
        MappedSegment[] segs = file.segments();
        for (int i = segs.length - 1; i >= 0; i--) {
            int written = writtenPrefix(segs[i]);
            if (written > 0 || i == 0) {
                maxOffset = segs[i].baseOffset() / ENTRY_BYTES + written;
                break;
            }
        }
        reservedEnd = maxOffset * ENTRY_BYTES; // unknown beyond: reserved again before use
    }

    /** Newest entries checked at every start: 80 KiB per queue, so a start stays quick with many queues. */
    static final int CHECKED_AT_START = 4_096;

    /**
     * Checks the newest entries (at most {@link #CHECKED_AT_START}, in the newest file): each size within bounds, each entry
     * inside the commit log ({@code logLimit}: the end of its last segment) and starting at or after the one
     * before it. When one fails, it or the one before it is wrong: both are dropped with everything after
     * them, and the commit-log offset from which recovery must index this queue again (the start of the
     * entry before those, or 0 for the log's start) is returned; {@link Long#MAX_VALUE} when the file is
     * sound. Start-up only.
     */
    long checkNewestFile(int maxRecordBytes, long logLimit) {
        MappedSegment last = file.last();
        if (last == null || maxOffset <= minOffset) {
            return Long.MAX_VALUE;
        }
        Entry e = new Entry();
        long from = Math.max(Math.max(minOffset, last.baseOffset() / ENTRY_BYTES), maxOffset - CHECKED_AT_START);
        long previousStart = from > minOffset && read(from - 1, e) ? e.commitLogOffset : 0;
        for (long o = from; o < maxOffset; o++) {
            if (!read(o, e) || e.size <= 0 || e.size > maxRecordBytes || e.commitLogOffset < previousStart
                || e.commitLogOffset + e.size > logLimit) {
                long keep = Math.max(minOffset, o - 1);
                long rescan = keep > minOffset && read(keep - 1, e) ? e.commitLogOffset : 0;
                truncateEntries(keep);
                return rescan;
            }
            previousStart = e.commitLogOffset;
        }
        return Long.MAX_VALUE;
    }

    /** Entries before the first empty one found by binary search in {@code seg}. */
    private static int writtenPrefix(MappedSegment seg) {
        ByteBuffer b = seg.buffer();
        int lo = 0;
        int hi = seg.size() / ENTRY_BYTES; // first empty entry index lies in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (b.getInt(mid * ENTRY_BYTES + 8) != 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The next offset to be written: one past the last entry. */
    long maxOffset() {
        return maxOffset;
    }

    long minOffset() {
        return minOffset;
    }

    /**
     * Writer only: makes entry {@code queueOffset} (the next one, or one after it in the same batch)
     * writable: its file exists and its blocks are reserved. Fails with {@link StoreException} on a full
     * disk, which the store calls before it writes anything of a batch.
     */
    void prepare(long queueOffset) {
        long byteOffset = queueOffset * ENTRY_BYTES;
        if (byteOffset + ENTRY_BYTES <= reservedEnd) {
            return;
        }
        MappedSegment seg = file.segmentFor(byteOffset);
        if (seg == null) {
            seg = file.addSegment(byteOffset);
        }
        int pos = (int) (byteOffset - seg.baseOffset());
        int end = Math.min(seg.size(), (pos / RESERVE_CHUNK_BYTES + 1) * RESERVE_CHUNK_BYTES);
        seg.writeZeros(pos, end); // from pos on: never over earlier entries
        reservedEnd = seg.baseOffset() + end;
    }

    /** Whether the queue has no entry and no file (a queue being created). */
    boolean isEmpty() {
        return maxOffset == 0 && file.isEmpty();
    }

    /**
     * Writer only, on an empty queue: makes {@code queueOffset} its first entry (a replica that began in the
     * middle of its master's log). The entries before it in the same file are filled with placeholders that
     * point at commit-log offset 0, so the file's end is found again after a restart, where the store's
     * {@code dropBefore} moves the minimum back to {@code queueOffset}.
     */
    void startAt(long queueOffset) {
        if (!isEmpty()) {
            throw new IllegalStateException("queue " + topic + "-" + queueId + " is not empty");
        }
        long fileBase = queueOffset - queueOffset % (file.segmentSize() / ENTRY_BYTES);
        minOffset = fileBase;
        maxOffset = fileBase;
        reservedEnd = fileBase * ENTRY_BYTES;
        while (maxOffset < queueOffset) {
            append(0, 1, 0);
        }
        minOffset = queueOffset;
    }

    void append(long commitLogOffset, int size, long tagsCode) {
        long byteOffset = maxOffset * ENTRY_BYTES;
        prepare(maxOffset);
        MappedSegment seg = file.segmentFor(byteOffset);
        int pos = (int) (byteOffset - seg.baseOffset());
        ByteBuffer b = seg.buffer();
        b.putLong(pos, commitLogOffset);
        b.putInt(pos + 8, size);
        b.putLong(pos + 12, tagsCode);
        maxOffset = maxOffset + 1;
    }

    /**
     * Reads entry {@code offset} into {@code out}, keeping its file mapped in {@code hold} (one reference for
     * a whole scan instead of one per entry); false if outside [min, max) or the file is gone.
     */
    boolean read(long offset, Entry out, ReadHold hold) {
        if (offset < minOffset || offset >= maxOffset) {
            return false;
        }
        long byteOffset = offset * ENTRY_BYTES;
        MappedSegment seg = file.segmentFor(byteOffset);
        if (seg == null || !hold.hold(seg)) {
            return false;
        }
        readAt(seg, (int) (byteOffset - seg.baseOffset()), out);
        return true;
    }

    private static void readAt(MappedSegment seg, int pos, Entry out) {
        ByteBuffer b = seg.buffer();
        out.commitLogOffset = b.getLong(pos);
        out.size = b.getInt(pos + 8);
        out.tagsCode = b.getLong(pos + 12);
    }

    /** Reads entry {@code offset} into {@code out}; false if outside [min, max). */
    boolean read(long offset, Entry out) {
        if (offset < minOffset || offset >= maxOffset) {
            return false;
        }
        long byteOffset = offset * ENTRY_BYTES;
        MappedSegment seg = file.segmentFor(byteOffset);
        if (seg == null || !seg.retain()) {
            return false; // deleted by retention meanwhile
        }
        try {
            readAt(seg, (int) (byteOffset - seg.baseOffset()), out);
            return true;
        } finally {
            seg.release();
        }
    }

    /**
     * Writer thread only: moves the min offset to the first entry whose record
     * is at or after {@code commitLogMin}, and detaches the files that hold only older entries. Returns
     * the detached files for deletion.
     */
    MappedSegment[] dropBefore(long commitLogMin) {
        long lo = minOffset;
        long hi = maxOffset;
        Entry e = new Entry();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (read(mid, e) && e.commitLogOffset < commitLogMin) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo > minOffset) {
            minOffset = lo;
        }
        return file.detachBefore(minOffset * ENTRY_BYTES);
    }

    /** Judges, for crash recovery, whether an entry points at the intact record it names. */
    interface EntryCheck {
        boolean holds(long queueOffset, Entry e);
    }

    /**
     * Crash recovery only, once the commit log's end is settled: leaves no empty or false entry below the max,
     * because the next start finds a queue's end as its first empty entry and an empty one below the max would
     * hide every entry after it. Entries that are empty or point at or after {@code trustedBelow} (where
     * recovery's scan began: everything before it was forced before the checkpoint that named it) are judged
     * by {@code check}, walking down from the max to the first trusted entry. Those after the last good one
     * are dropped; those below it become placeholders that point at the next good entry's record, which
     * readers step over as holes (its queue offset is not theirs). Returns how many placeholders were written.
     */
    int seal(long trustedBelow, EntryCheck check) {
        Entry e = new Entry();
        long keep = -1;
        long nextGoodOffset = 0;
        int nextGoodSize = 0;
        int placeholders = 0;
        long o = maxOffset - 1;
        for (; o >= minOffset; o--) {
            boolean readable = read(o, e);
            if (readable && e.size > 0 && e.commitLogOffset < trustedBelow) {
                break;
            }
            if (readable && e.size > 0 && check.holds(o, e)) {
                keep = keep < 0 ? o + 1 : keep;
                nextGoodOffset = e.commitLogOffset;
                nextGoodSize = e.size;
            } else if (keep >= 0 && overwrite(o, nextGoodOffset, nextGoodSize)) {
                placeholders++;
            }
        }
        truncateEntries(keep < 0 ? o + 1 : keep);
        return placeholders;
    }

    /** Writes entry {@code queueOffset} below the max with an ordinary write (its block may be a hole). */
    private boolean overwrite(long queueOffset, long commitLogOffset, int size) {
        long byteOffset = queueOffset * ENTRY_BYTES;
        MappedSegment seg = file.segmentFor(byteOffset);
        if (seg == null) {
            return false;
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putLong(commitLogOffset).putInt(size).putLong(0).flip();
        seg.write(entry, (int) (byteOffset - seg.baseOffset()));
        return true;
    }

    /** Drops entries whose record lies at or beyond {@code commitLogEnd} (recovery only). */
    void truncateTo(long commitLogEnd) {
        Entry e = new Entry();
        long keep = maxOffset;
        while (keep > minOffset && read(keep - 1, e) && e.commitLogOffset + e.size > commitLogEnd) {
            keep--;
        }
        truncateEntries(keep);
    }

    /** Drops entries from queue offset {@code newMax} on (recovery only). */
    void truncateEntries(long newMax) {
        if (newMax >= maxOffset) {
            return;
        }
        for (long o = newMax; o < maxOffset; o++) {
            long byteOffset = o * ENTRY_BYTES;
            MappedSegment seg = file.segmentFor(byteOffset);
            if (seg != null) {
                int pos = (int) (byteOffset - seg.baseOffset());
                seg.buffer().putLong(pos, 0).putInt(pos + 8, 0).putLong(pos + 12, 0);
            }
        }
        maxOffset = newMax;
        reservedEnd = Math.min(reservedEnd, newMax * ENTRY_BYTES);
    }

    void flush() {
        file.forceAll();
    }

    void close() {
        file.close();
    }

    /** A reusable holder for one entry. */
    static final class Entry {
        long commitLogOffset;
        int size;
        long tagsCode;
    }
}
