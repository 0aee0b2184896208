package io.quiver.store;

import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the commit log and consume queues into agreement at start-up. After a clean stop the checkpoint
 * gives the exact end and nothing is scanned. After a crash, records are verified from the checkpoint's
 * safe offset on: every valid record is (re)indexed in its consume queue, the first torn or damaged entry
 * ends the log, the tail after it is erased, and queue entries that point past the end are dropped.
 * Runs on the starting thread before any reader or writer exists.
 */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final MessageStore store;
    private final TagsCodeRule tagsCodes;

    Recovery(MessageStore store, TagsCodeRule tagsCodes) {
        this.store = store;
        this.tagsCodes = tagsCodes;
    }

    void run(Checkpoint checkpoint, boolean crashed) {
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
            && checkpoint.endOffset() <= lastEnd) {
            cl.truncateTo(checkpoint.endOffset(), false);
            log.info("clean start: commit log ends at {}", checkpoint.endOffset());
            return;
        }
        long start = Math.max(cl.minOffset(), Math.min(checkpoint.safeOffset(), lastEnd));
        // The safe offset may sit on the blank tail of a segment; the scan handles that like any entry.
        long t0 = System.nanoTime();
        long[] counts = new long[2];
        long end = scan(start, counts);
        cl.truncateTo(end, true);
        for (ConsumeQueue cq : store.allQueues()) {
            cq.truncateTo(end);
        }
        log.warn("crash recovery: scanned {} bytes from {} in {} ms, {} records verified, {} re-indexed; commit log ends at {}",
            end - start, start, (System.nanoTime() - t0) / 1_000_000, counts[0], counts[1], end);
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
                case END -> {
                    return pos;
                }
                case DAMAGED -> {
                    log.error("commit log: torn or damaged record at offset {}; the log is cut there", pos);
                    return pos;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void reindex(MappedSegment seg, long pos, int size, long[] counts) {
        ByteBuffer r = seg.slice((int) (pos - seg.baseOffset()), size);
        int queueId = r.getInt(MessageRecord.POS_QUEUE_ID);
        // Every field is read through MessageRecord: the record layout lives there only.
        long queueOffset = r.getLong(MessageRecord.POS_QUEUE_OFFSET);
        String topic = MessageRecord.topicOf(r);
        ConsumeQueue cq = store.queueForWrite(topic, queueId);
        if (queueOffset < cq.maxOffset()) {
            ConsumeQueue.Entry e = new ConsumeQueue.Entry();
            if (cq.read(queueOffset, e) && e.commitLogOffset == pos) {
                return; // already indexed
            }
            cq.truncateEntries(queueOffset);
        }
        if (queueOffset > cq.maxOffset()) {
            log.error("queue {}-{} is missing entries {}..{} (their records precede the recovery start); "
                + "offsets jump there", topic, queueId, cq.maxOffset(), queueOffset - 1);
            while (cq.maxOffset() < queueOffset) {
                cq.append(pos, size, 0); // placeholder never served: readers verify the record's queue offset
            }
        }
        cq.append(pos, size, tagsCodes.tagsCode(topic, MessageProperties.parse(MessageRecord.propertiesOf(r)),
            MessageRecord.storeTimestampOf(r)));
        counts[1]++;
    }

}
