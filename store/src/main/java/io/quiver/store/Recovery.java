package io.quiver.store;

import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the commit log and consume queues into agreement at start-up. After a clean stop the checkpoint
 * gives the exact end and nothing is scanned. After a crash, records are verified from the checkpoint's
 * safe offset on: every valid record is (re)indexed in its consume queue. Damage with valid records after it
 * (a flipped bit, a lost page) is stepped over, so it costs only what it overwrote; damage or zeros with
 * nothing valid after them end the log (a torn tail), and the rest is erased. Then each queue is sealed: its
 * entries from the scan's start on that point at damage, past the end or at another record are dropped after
 * its last good entry and become holes below it, so no queue keeps an empty entry below its end.
 * Runs on the starting thread before any reader or writer exists.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final MessageStore store;
    private final QueueIndexer indexer;
    /** Damaged ranges the scan stepped over, in log order; bounded by the number of records scanned. */
    private final List<DamagedRange> damaged = new ArrayList<>();

    Recovery(MessageStore store, TagsCodeRule tagsCodes) {
        this.store = store;
        this.indexer = new QueueIndexer(store, tagsCodes);
    }

    /** The damaged ranges the last {@link #run} stepped over. */
    List<DamagedRange> damaged() {
        return List.copyOf(damaged);
    }

    /**
     * @param rescanFrom a commit-log offset from which records must be indexed again whatever the checkpoint
     *                   says (a consume queue was found damaged), or {@link Long#MAX_VALUE}
     */
    void run(Checkpoint checkpoint, boolean crashed, long rescanFrom) {
        CommitLog cl = store.commitLog();
        SegmentedFile file = cl.file();
        if (file.isEmpty()) {
            cl.truncateTo(0, false);
            for (ConsumeQueue cq : store.allQueues()) {
                cq.truncateTo(0);
            }
            return;
        }
        long lastEnd = file.last().endOffset();
        if (!crashed && checkpoint.clean() && checkpoint.endOffset() >= cl.minOffset()
            && checkpoint.endOffset() <= lastEnd && rescanFrom == Long.MAX_VALUE) {
            cl.truncateTo(checkpoint.endOffset(), false);
            log.info("clean start: commit log ends at {}", checkpoint.endOffset());
            return;
        }
        long start = Math.max(cl.minOffset(), Math.min(Math.min(checkpoint.safeOffset(), rescanFrom), lastEnd));
        // The safe offset may sit on the blank tail of a segment; the scan handles that like any entry.
        long t0 = System.nanoTime();
        long[] counts = new long[2];
        long end = scan(start, counts);
        cl.truncateTo(end, true);
        int placeholders = 0;
        ReadHold hold = new ReadHold();
        try {
            for (ConsumeQueue cq : store.allQueues()) {
                placeholders += cq.seal(start, (queueOffset, e) -> pointsAtItsRecord(cq, queueOffset, e, end, hold));
            }
        } finally {
            hold.release();
        }
        // The store writes a checkpoint at the new end next: what it promises (entries rebuilt, tail erased)
        // must be on disk first, or a second crash soon after would find neither and scan from too late.
        cl.forceRange(Math.max(cl.minOffset(), Math.min(start, end) - 1), end + 1);
        for (ConsumeQueue cq : store.allQueues()) {
            cq.flush();
        }
        log.warn("crash recovery: scanned {} bytes from {} in {} ms, {} records verified, {} re-indexed, {} damaged "
                + "ranges stepped over, {} queue entries left as holes; commit log ends at {}",
            end - start, start, (System.nanoTime() - t0) / 1_000_000, counts[0], counts[1], damaged.size(), placeholders,
            end);
    }

    /**
     * Whether entry {@code queueOffset} of {@code cq} points at an intact record below {@code end} that names
     * this queue and this offset (an entry left from before a crash may point at damage, past the end, or at
     * another record).
     */
    private boolean pointsAtItsRecord(ConsumeQueue cq, long queueOffset, ConsumeQueue.Entry e, long end,
                                      ReadHold hold) {
        CommitLog cl = store.commitLog();
        if (e.commitLogOffset < cl.minOffset() || e.commitLogOffset + e.size > end) {
            return false;
        }
        ByteBuffer r = cl.read(e.commitLogOffset, e.size, hold);
        return r != null && cl.verify(e.commitLogOffset, e.size, hold)
            && r.getLong(MessageRecord.POS_QUEUE_OFFSET) == queueOffset
            && r.getInt(MessageRecord.POS_QUEUE_ID) == cq.queueId()
            && cq.topic().equals(MessageRecord.topicOf(r));
    }

    private long scan(long from, long[] counts) {
        CommitLog cl = store.commitLog();
        int maxRecord = store.config().maxMessageBytes() + 64 * 1024;
        int[] size = new int[1];
        long pos = from;
        while (true) {
            MappedSegment seg = cl.file().segmentFor(pos);
            if (seg == null) {
                return pos;
            }
            CommitLog.EntryKind kind = CommitLog.inspect(seg, pos, maxRecord, size);
            switch (kind) {
                case RECORD -> {
                    reindex(seg, pos, size[0], counts);
                    counts[0]++;
                    pos += size[0] + CommitLog.TRAILER_BYTES;
                }
                case BLANK -> pos = seg.endOffset();
                case END, DAMAGED -> {
                    long next = cl.nextValidEntry(pos, maxRecord);
                    if (next < 0) {
                        if (kind == CommitLog.EntryKind.DAMAGED) {
                            log.error("commit log: torn record at offset {} and nothing valid after it; the log ends there",
                                pos);
                        }
                        return pos;
                    }
                    damaged.add(new DamagedRange(pos, next));
                    log.error("commit log: {} bytes at offsets [{}, {}) are damaged but valid records follow; the "
                        + "damaged range is skipped (a message stored there is lost, its queue entry reads as a hole) "
                        + "and everything after it is kept", next - pos, pos, next);
                    pos = next;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void reindex(MappedSegment seg, long pos, int size, long[] counts) {
        ByteBuffer r = seg.slice((int) (pos - seg.baseOffset()), size);
        if (indexer.index(r, pos, size, store.isReplica()) == QueueIndexer.Outcome.INDEXED) {
            counts[1]++;
        }
    }
}
