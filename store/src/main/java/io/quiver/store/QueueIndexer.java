package io.quiver.store;

import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a record found in the commit log its consume-queue entry from the record's own fields: crash
 * recovery uses it for records after the checkpoint, a replica for every record its master ships. An
 * entry already present is kept; a conflicting one is replaced with everything after it. Writer thread (or
 * recovery, before it starts) only.
 */
final class QueueIndexer {
    private static final Logger log = LoggerFactory.getLogger(QueueIndexer.class);

    private final MessageStore store;
    private final TagsCodeRule tagsCodes;

    QueueIndexer(MessageStore store, TagsCodeRule tagsCodes) {
        this.store = store;
        this.tagsCodes = tagsCodes;
    }

    /** The topic and tag code of the record the last {@link #index} call gave an entry (writer thread). */
    private String lastTopic;
    private long lastTagsCode;

    String lastTopic() {
        return lastTopic;
    }

    long lastTagsCode() {
        return lastTagsCode;
    }

    /** What {@link #index} did with a record. */
    enum Outcome { ALREADY_INDEXED, INDEXED }

    /**
     * Indexes the record {@code r} (its bytes, from position 0) stored at commit-log offset {@code pos}. A
     * queue seen for the first time with a record past queue offset 0 starts at that offset when
     * {@code startNewQueuesAtRecord} (a replica that began in the middle of its master's log); otherwise the
     * missing entries become placeholders that read as holes.
     */
    Outcome index(ByteBuffer r, long pos, int size, boolean startNewQueuesAtRecord) {
        int queueId = r.getInt(MessageRecord.POS_QUEUE_ID);
        long queueOffset = r.getLong(MessageRecord.POS_QUEUE_OFFSET);
        String topic = MessageRecord.topicOf(r);
        ConsumeQueue cq = store.queueForWrite(topic, queueId);
        if (queueOffset < cq.maxOffset()) {
            ConsumeQueue.Entry e = new ConsumeQueue.Entry();
            if (cq.read(queueOffset, e) && e.commitLogOffset == pos && e.size == size) {
                return Outcome.ALREADY_INDEXED;
            }
            cq.truncateEntries(queueOffset);
        }
        if (queueOffset > cq.maxOffset()) {
            if (startNewQueuesAtRecord && cq.isEmpty()) {
                cq.startAt(queueOffset);
            } else {
                log.error("queue {}-{} is missing entries {}..{} (their records are damaged or precede the recovery "
                    + "start); they read as holes that consumers step over", topic, queueId, cq.maxOffset(), queueOffset - 1);
                while (cq.maxOffset() < queueOffset) {
                    cq.append(pos, size, 0); // placeholder never served: readers verify the record's queue offset
                }
            }
        }
        long tagsCode = tagsCode(r, topic);
        cq.append(pos, size, tagsCode);
        lastTopic = topic;
        lastTagsCode = tagsCode;
        return Outcome.INDEXED;
    }

    /** The entry's tag code, as the appender gave it (delayed and timer records: their due time). */
    long tagsCode(ByteBuffer r, String topic) {
        return tagsCodes.tagsCode(topic, MessageProperties.parse(MessageRecord.propertiesOf(r)),
            MessageRecord.storeTimestampOf(r));
    }

    static int queueIdOf(ByteBuffer r) {
        return r.getInt(MessageRecord.POS_QUEUE_ID);
    }

    static long queueOffsetOf(ByteBuffer r) {
        return r.getLong(MessageRecord.POS_QUEUE_OFFSET);
    }
}
