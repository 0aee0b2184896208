package io.quiver.store;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The append-only log of every stored message. On disk each entry is a record in the wire layout
 * ({@link MessageRecord}) followed by a CRC32C of the record, so a torn or damaged record is detected on
 * recovery and on read; a segment's unused tail starts with a blank marker. Written only by the store's
 * appending thread ({@link Appender}), through the file channel in one write per group of sends
 * ({@link MappedSegment#write}); read through the mappings by any thread below {@link #writePosition()}.
 */
final class CommitLog {
    /** Marks the unused tail of a segment: {@code int remaining, int BLANK_MAGIC}. */
    static final int BLANK_MAGIC = 0xCBD43194;
    static final int TRAILER_BYTES = 4;
    /** Room always left at a segment's end for the blank marker. */
    static final int END_MARKER_BYTES = 8;

    /** First size of the buffer a batch is laid out in before one write to the file. */
    static final int STAGING_BYTES = 256 * 1024;

    private final SegmentedFile file;
    private volatile long writePosition;
    /** Owned by the appending thread: records laid out but not yet written, and where they start. */
    private ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private long stagedStart;
    /** Owned by the appending thread: staged bytes may have reached the file since the last publish. */
    private boolean writeAttempted;
    private final CRC32C crc = new CRC32C();

    CommitLog(Disk disk, Path dir, int segmentBytes) {
        this.file = new SegmentedFile(disk, dir, segmentBytes);
    }

    void load() {
        file.load();
    }

    SegmentedFile file() {
        return file;
    }

    /** One past the last byte written; everything below it is readable. */
    long writePosition() {
        return writePosition;
    }

    long minOffset() {
        MappedSegment first = file.first();
        return first == null ? writePosition : first.baseOffset();
    }

    /** Store timestamp of the first record of {@code seg}, or -1 if it does not start with a record. */
    static long firstStoreTimestamp(MappedSegment seg) {
        java.nio.ByteBuffer b = seg.buffer();
        if (b.getInt(MessageRecord.POS_MAGIC) != MessageRecord.MAGIC_V1) {
            return -1;
        }
        return MessageRecord.storeTimestampOf(b);
    }

    /**
     * Sets the write position after recovery and deletes later segments. With {@code eraseTail} the
     * rest of the segment is zeroed, so bytes of records lost in a crash can never be mistaken for data
     * by a later scan once new records are written over their start.
     */
    void truncateTo(long position, boolean eraseTail) {
        long base = position - position % file.segmentSize();
        file.deleteFrom(base + file.segmentSize());
        MappedSegment seg = file.segmentFor(position);
        if (seg != null && eraseTail) {
            seg.writeZeros((int) (position - seg.baseOffset()), seg.size());
        }
        writePosition = position;
        stagedStart = position;
        staging.clear();
    }

    /**
     * Makes sure a send of {@code bytes} fits in the current segment after what is already staged, and
     * returns false if it does not while records are staged: the caller then publishes them first, so a
     * segment roll never happens with unpublished records behind it. With nothing staged, rolls to a new
     * segment when needed (a full disk fails here, before anything of the send is written).
     */
    boolean reserve(long bytes) {
        long stagedEnd = stagedStart + staging.position();
        MappedSegment seg = file.segmentFor(stagedEnd);
        if (seg != null && stagedEnd - seg.baseOffset() + bytes + END_MARKER_BYTES <= seg.size()) {
            return true;
        }
        if (staging.position() > 0 || stagedStart != writePosition) {
            return false; // records are staged: publish them before rolling
        }
        segmentForAppend((int) bytes);
        stagedStart = writePosition;
        return true;
    }

    /**
     * Lays out one record after those already staged and returns its commit-log offset. The bytes reach
     * the file at the latest in {@link #publish}, and readers see them only after it. Appending thread only.
     */
    long append(MessageDraft draft, int size, int bodyCrc, long queueOffset, long storeTimestamp) {
        int stored = size + TRAILER_BYTES;
        if (staging.remaining() < stored) {
            writeStaged();
            if (staging.capacity() < stored) {
                staging = ByteBuffer.allocateDirect(stored); // one record larger than any before; bounded by maxMessageSize
            }
        }
        int start = staging.position();
        long offset = stagedStart + start;
        MessageRecord.write(staging, draft, size, bodyCrc, queueOffset, offset, storeTimestamp);
        crc.reset();
        crc.update(staging.slice(start, size));
        staging.putInt((int) crc.getValue());
        return offset;
    }

    /** Writes the staged records to the file and makes them readable. */
    void publish() {
        writeStaged();
        writePosition = stagedStart;
        writeAttempted = false;
    }

    /**
     * Forgets staged records after a failed write. Whatever part of them reached the file is zeroed (best
     * effort: the blocks are already reserved), so no complete record of a failed send can be found beyond
     * the end by a later recovery, which looks past damage for valid records.
     */
    void discardStaged() {
        // Whatever was written lies below the last write's start plus one staging buffer.
        long reachedAtMost = stagedStart + staging.capacity();
        boolean written = writeAttempted;
        writeAttempted = false;
        staging.clear();
        stagedStart = writePosition;
        MappedSegment seg = file.segmentFor(writePosition);
        if (written && seg != null) {
            try {
                seg.writeZeros((int) (writePosition - seg.baseOffset()),
                    (int) (Math.min(seg.endOffset(), reachedAtMost) - seg.baseOffset()));
                seg.forceData();
            } catch (RuntimeException e) {
                // recovery's zeroing of the tail covers it after a restart
            }
        }
    }

    private void writeStaged() {
        if (staging.position() == 0) {
            return;
        }
        MappedSegment seg = file.segmentFor(stagedStart);
        int bytes = staging.position();
        writeAttempted = true;
        staging.flip();
        seg.write(staging, (int) (stagedStart - seg.baseOffset()));
        staging.clear();
        stagedStart += bytes;
    }

    private MappedSegment segmentForAppend(int stored) {
        long wp = writePosition;
        MappedSegment seg = file.segmentFor(wp);
        if (seg == null) {
            return file.addSegment(wp);
        }
        int pos = (int) (wp - seg.baseOffset());
        if (pos + stored + END_MARKER_BYTES <= seg.size()) {
            return seg;
        }
        // Not enough room: mark the rest of this segment blank and continue in a new one.
        ByteBuffer marker = ByteBuffer.allocate(END_MARKER_BYTES).putInt(seg.size() - pos).putInt(BLANK_MAGIC).flip();
        seg.write(marker, pos);
        MappedSegment next = file.addSegment(seg.endOffset());
        writePosition = next.baseOffset();
        return next;
    }

    /**
     * A read-only view of {@code size} bytes at {@code offset}, its segment retained in {@code hold}; null if
     * out of range or the segment is gone.
     */
    ByteBuffer read(long offset, int size, ReadHold hold) {
        if (offset < 0 || size <= 0 || offset > writePosition - size) {
            return null;
        }
        MappedSegment seg = file.segmentFor(offset);
        if (seg == null || !hold.hold(seg)) {
            return null;
        }
        int pos = (int) (offset - seg.baseOffset());
        if (pos + size > seg.size()) {
            return null;
        }
        return seg.slice(pos, size);
    }

    /** Result of inspecting the bytes at one position during a scan. */
    enum EntryKind { RECORD, BLANK, END, DAMAGED }

    /**
     * Inspects the entry at {@code offset} within {@code seg}: a valid record (size and CRC check out), the
     * blank tail marker, zeroes (end of data), or damage. For {@code RECORD} the record size is returned
     * through {@code sizeOut[0]}.
     */
    static EntryKind inspect(MappedSegment seg, long offset, int maxRecordBytes, int[] sizeOut) {
        int pos = (int) (offset - seg.baseOffset());
        ByteBuffer b = seg.buffer();
        if (pos + 8 > seg.size()) {
            return EntryKind.END;
        }
        int size = b.getInt(pos);
        int magic = b.getInt(pos + 4);
        if (magic == BLANK_MAGIC && size == seg.size() - pos) {
            return EntryKind.BLANK;
        }
        if (size == 0 && magic == 0) {
            return EntryKind.END;
        }
        if (magic != MessageRecord.MAGIC_V1 || size < 64 || size > maxRecordBytes
            || pos + size + TRAILER_BYTES > seg.size()
            || b.getLong(pos + MessageRecord.POS_PHYSICAL_OFFSET) != offset) {
            return EntryKind.DAMAGED;
        }
        CRC32C crc = new CRC32C();
        crc.update(seg.slice(pos, size));
        if ((int) crc.getValue() != b.getInt(pos + size)) {
            return EntryKind.DAMAGED;
        }
        sizeOut[0] = size;
        return EntryKind.RECORD;
    }

    /**
     * Where valid entries resume after damage or a hole at {@code from}: the offset of the first record (size,
     * magic, own offset and CRC all check out) or blank marker after it, in this segment or a later one; -1
     * when none follows, which makes the damage a torn tail. Zero runs are skipped in bulk; other bytes are
     * tried one position at a time.
     */
    long nextValidEntry(long from, int maxRecordBytes) {
        return nextValidEntry(file, from, maxRecordBytes);
    }

    /** {@link #nextValidEntry(long, int)} in any segmented log (the verifier reads one without a store). */
    static long nextValidEntry(SegmentedFile file, long from, int maxRecordBytes) {
        long pos = from;
        for (MappedSegment seg = file.segmentFor(pos); seg != null; seg = file.segmentFor(pos)) {
            int found = resync(seg, (int) (pos - seg.baseOffset()), maxRecordBytes);
            if (found >= 0) {
                return seg.baseOffset() + found;
            }
            pos = seg.endOffset();
        }
        return -1;
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private static int resync(MappedSegment seg, int from, int maxRecordBytes) {
        ByteBuffer b = seg.buffer();
        int[] size = new int[1];
        int p = from;
        while (p + 8 <= seg.size()) {
            if (b.getLong(p) == 0) {
                int nonZero = firstNonZero(b, p, seg.size());
                if (nonZero < 0) {
                    return -1;
                }
                p = nonZero - 4; // an entry's first non-zero byte is at most its fifth (the magic)
                continue;
            }
            EntryKind kind = inspect(seg, seg.baseOffset() + p, maxRecordBytes, size);
            if (kind == EntryKind.RECORD || kind == EntryKind.BLANK) {
                return p;
            }
            p++;
        }
        return -1;
    }

    private static int firstNonZero(ByteBuffer b, int from, int end) {
        for (int p = from; p < end; p += ZEROS.capacity()) {
            int len = Math.min(ZEROS.capacity(), end - p);
            int m = b.slice(p, len).mismatch(ZEROS.slice(0, len));
            if (m >= 0) {
                return p + m;
            }
        }
        return -1;
    }

    /**
     * Verifies the CRC trailer of the record at {@code offset}, its segment retained in {@code hold}; false
     * if damaged, out of range or gone.
     */
    boolean verify(long offset, int size, ReadHold hold) {
        MappedSegment seg = file.segmentFor(offset);
        if (seg == null || !hold.hold(seg)) {
            return false;
        }
        int[] out = new int[1];
        return inspect(seg, offset, Integer.MAX_VALUE, out) == EntryKind.RECORD && out[0] == size;
    }

    /** Forces the bytes in [from, to) to disk, across segment boundaries. Throws on I/O failure. */
    void forceRange(long from, long to) {
        long pos = from;
        while (pos < to) {
            MappedSegment seg = file.segmentFor(pos);
            if (seg == null) {
                return;
            }
            int start = (int) (pos - seg.baseOffset());
            int end = (int) Math.min(seg.size(), to - seg.baseOffset());
            seg.forceData();
            pos = seg.baseOffset() + end;
        }
    }

    void close() {
        file.close();
    }
}
