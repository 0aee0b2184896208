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
     * Appending thread, on a replica: cuts the log back from {@code oldEnd} to {@code position}, erasing only what
     * was written ([position, oldEnd), within the segments kept) and deleting the segments after position's.
     */
    void cutBack(long position, long oldEnd) {
        long base = position - position % file.segmentSize();
        file.deleteFrom(base + file.segmentSize());
        MappedSegment seg = file.segmentFor(position);
        if (seg != null) {
            seg.writeZeros((int) (position - seg.baseOffset()), (int) Math.min(seg.size(), oldEnd - seg.baseOffset()));
            seg.forceData();
        }
        writePosition = position;
        stagedStart = position;
        staging.clear();
    }

    /**
     * Appending thread, on an empty log only: the log starts at {@code base}, a segment boundary (a replica
     * copying a master whose older segments are already deleted).
     */
    void startAt(long base) {
        if (!file.isEmpty() || base % file.segmentSize() != 0) {
            throw new StoreException("the log can start at " + base + " only when empty and at a segment boundary");
        }
        writePosition = base;
        stagedStart = base;
        staging.clear();
    }

    /** Receives each record {@link #writeReplicated} stored: its offset and its bytes (without the trailer). */
    interface RecordSink {
        void stored(long offset, ByteBuffer record);
    }

    /**
     * Appending thread, on a replica: the master found [from, next) damaged and stepped over it; the replica's
     * log leaves it empty (its segments are created as needed) and continues at {@code next}.
     */
    long skipReplicated(long from, long next) {
        if (from != writePosition || next < from) {
            throw new StoreException("a gap [" + from + ", " + next + ") does not start at the log's end " + writePosition);
        }
        int segSize = file.segmentSize();
        for (long base = from - from % segSize; base < next; base += segSize) {
            if (file.segmentFor(base) == null) {
                file.addSegment(base);
            }
        }
        writePosition = next;
        stagedStart = next;
        return next;
    }

    /**
     * Appending thread, on a replica: stores entries its master shipped, at exactly the offsets they have on
     * the master. {@code entries} holds whole entries from {@code offset} (the current end): records with their
     * CRC trailers, and blank markers where the master's segments end. Everything is checked before anything is
     * written: each record's magic, size, own offset field and CRC, each marker's length against the segment
     * (so both sides must use the same segment size). Returns the new end; throws {@link StoreException}
     * naming the first entry at fault, having written nothing, or on an I/O failure (then bytes may have reached
     * the file beyond the end, as for any failed write: they are the master's own and are written again).
     */
    long writeReplicated(long offset, ByteBuffer entries, int maxRecordBytes, RecordSink sink) {
        if (staging.position() != 0 || stagedStart != writePosition) {
            throw new IllegalStateException("records are staged on a replica");
        }
        if (offset != writePosition) {
            throw new StoreException("shipped entries start at " + offset + " but the log ends at " + writePosition);
        }
        int segSize = file.segmentSize();
        ByteBuffer b = entries.duplicate();
        int start = b.position();
        long end = checkShipped(offset, b, maxRecordBytes, segSize);
        // One write per segment touched: a run of entries ends with the segment's blank marker.
        long pos = offset;
        long runAt = offset;
        int runStart = start;
        int i = start;
        while (i < b.limit()) {
            boolean blank = b.getInt(i + 4) == BLANK_MAGIC;
            int len = blank ? END_MARKER_BYTES : b.getInt(i) + TRAILER_BYTES;
            i += len;
            if (blank) {
                writeRun(runAt, b, runStart, i);
                pos = pos - pos % segSize + segSize;
                runAt = pos;
                runStart = i;
            } else {
                pos += len;
            }
        }
        writeRun(runAt, b, runStart, i);
        writePosition = end;
        stagedStart = end;
        // Tell the sink only once everything is written.
        long p = offset;
        for (int k = start; k < b.limit(); ) {
            int size = b.getInt(k);
            if (b.getInt(k + 4) == BLANK_MAGIC) {
                p = p - p % segSize + segSize;
                k += END_MARKER_BYTES;
                continue;
            }
            sink.stored(p, b.slice(k, size));
            p += size + TRAILER_BYTES;
            k += size + TRAILER_BYTES;
        }
        return end;
    }

    private void writeRun(long at, ByteBuffer b, int from, int to) {
        if (to == from) {
            return;
        }
        MappedSegment seg = file.segmentFor(at);
        if (seg == null) {
            seg = file.addSegment(at);
        }
        seg.write(b.slice(from, to - from), (int) (at - seg.baseOffset()));
    }

    /**
     * Whole entries from {@code from} (an entry boundary below the end) for a replica, at most
     * {@code maxBytes} of them but always at least one, never past a segment's end (its blank marker is the
     * chunk's last entry). Any thread. Where no valid entry starts at {@code from} (a range recovery stepped
     * over as damaged, or an offset inside a record) the chunk is a {@link LogChunk.Kind#GAP} to the next valid
     * entry. Throws {@link StoreException} when {@code from} is below the log's start.
     */
    LogChunk readEntries(long from, int maxBytes, int maxRecordBytes) {
        long end = writePosition;
        if (from >= end) {
            return LogChunk.nothingNew(from);
        }
        if (from < minOffset()) {
            throw new StoreException("offset " + from + " is below the log's start " + minOffset());
        }
        MappedSegment seg = file.segmentFor(from);
        if (seg == null || !seg.retain()) {
            throw new StoreException("offset " + from + " is not in the log (deleted meanwhile)");
        }
        try {
            int[] size = new int[1];
            long pos = from;
            boolean blank = false;
            while (pos < end && pos < seg.endOffset()) {
                EntryKind kind = inspect(seg, pos, maxRecordBytes, size);
                if (kind == EntryKind.BLANK) {
                    pos += END_MARKER_BYTES;
                    blank = true;
                    break;
                }
                if (kind != EntryKind.RECORD) {
                    if (pos == from) {
                        long next = nextValidEntry(pos, maxRecordBytes);
                        if (next < 0 || next > end) {
                            throw new StoreException("no valid entry at " + from + " nor after it below the end " + end);
                        }
                        return new LogChunk(LogChunk.Kind.GAP, from, next, ByteBuffer.allocate(0));
                    }
                    break; // a damaged range follows: the next chunk reports it
                }
                int stored = size[0] + TRAILER_BYTES;
                if (pos > from && pos - from + stored > maxBytes) {
                    break;
                }
                pos += stored;
            }
            int inSeg = (int) (from - seg.baseOffset());
            ByteBuffer copy = ByteBuffer.allocate((int) (pos - from));
            copy.put(seg.slice(inSeg, (int) (pos - from))).flip();
            return new LogChunk(LogChunk.Kind.ENTRIES, from, blank ? seg.endOffset() : pos, copy);
        } finally {
            seg.release();
        }
    }

    /** Checks shipped entries (see {@link #writeReplicated}); returns where they end in the log. */
    private long checkShipped(long offset, ByteBuffer b, int maxRecordBytes, int segSize) {
        long pos = offset;
        int i = b.position();
        CRC32C check = new CRC32C();
        while (i < b.limit()) {
            int inSeg = (int) (pos % segSize);
            if (b.limit() - i < 8) {
                throw new StoreException("shipped entries end inside an entry header at offset " + pos);
            }
            int size = b.getInt(i);
            int magic = b.getInt(i + 4);
            if (magic == BLANK_MAGIC) {
                if (size != segSize - inSeg) {
                    throw new StoreException("blank marker at offset " + pos + " says " + size + " bytes remain but "
                        + (segSize - inSeg) + " do: master and replica need the same commit-log segment size");
                }
                i += END_MARKER_BYTES;
                pos += segSize - inSeg;
                continue;
            }
            if (magic != MessageRecord.MAGIC_V1 || size < 64 || size > maxRecordBytes
                || inSeg + size + TRAILER_BYTES + END_MARKER_BYTES > segSize || b.limit() - i < size + TRAILER_BYTES) {
                throw new StoreException("shipped entry at offset " + pos + " is not a whole record (size " + size
                    + ", magic " + Integer.toHexString(magic) + ")");
            }
            if (b.getLong(i + MessageRecord.POS_PHYSICAL_OFFSET) != pos) {
                throw new StoreException("shipped record at offset " + pos + " says it belongs at "
                    + b.getLong(i + MessageRecord.POS_PHYSICAL_OFFSET));
            }
            check.reset();
            check.update(b.slice(i, size));
            if ((int) check.getValue() != b.getInt(i + size)) {
                throw new StoreException("shipped record at offset " + pos + " fails its CRC");
            }
            i += size + TRAILER_BYTES;
            pos += size + TRAILER_BYTES;
        }
        return pos;
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

    /**
     * Forces the bytes in [from, to) to disk, across segment boundaries; positions below the first segment
     * (a replica's log that starts in the middle of its master's) hold nothing. Throws on I/O failure.
     */
    void forceRange(long from, long to) {
        long pos = Math.max(from, minOffset());
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
