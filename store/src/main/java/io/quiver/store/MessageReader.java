package io.quiver.store;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What readers of the store (pull, offsets, statistics, lookups) may ask of it; {@link MessageStore}
 * implements it, and tests use in-memory fakes. Every method may be called from any thread.
 */
public interface MessageReader {
    /** Up to {@code maxCount} matching records of a queue from {@code offset}, as views held until released. */
    GetResult get(String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter);

    /** As {@link #get}, with copies and nothing to release. */
    GetResult getCopies(String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter);

    /**
     * As {@link #get}, for consumers: only what every in-sync replica holds (controller mode); elsewhere the same as
     * {@link #get}.
     */
    default GetResult getConfirmed(String topic, int queueId, long offset, int maxCount, int maxBytes,
                                   MessageFilter filter) {
        return get(topic, queueId, offset, maxCount, maxBytes, filter);
    }

    /** The queue's end as consumers see it (controller mode: before its first record not confirmed yet). */
    default long confirmedMaxOffset(String topic, int queueId) {
        return maxOffset(topic, queueId);
    }

    /** A copy of the record at commit-log {@code offset} (CRC checked), or null. */
    ByteBuffer recordAt(long offset);

    /** Next queue offset to be written; 0 for a queue that does not exist. */
    long maxOffset(String topic, int queueId);

    /** Smallest stored queue offset, or -1 if the queue does not exist. */
    long minOffset(String topic, int queueId);

    /** The consume-queue tag code at a queue offset (for delayed queues: the due time), or null. */
    Long tagsCodeAt(String topic, int queueId, long queueOffset);

    /** Store timestamp of the message at a queue offset, or -1. */
    long storeTimestamp(String topic, int queueId, long queueOffset);

    /** Store timestamp of the oldest message in the queue, or -1. */
    long earliestStoreTimestamp(String topic, int queueId);

    /** Queue offset for a store timestamp. */
    long offsetForTimestamp(String topic, int queueId, long timestamp, TimeBoundary boundary);

    /** Verified copies of the messages of {@code topic} with the key (or unique key) stored within [begin, end]. */
    List<ByteBuffer> query(String topic, String key, boolean uniqueKey, int max, long begin, long end);

    /** Topics with at least one queue in the store, sorted. */
    List<String> topics();

    long commitLogWritePosition();

    /** Commit-log offset up to which the message index is built. */
    long indexedUpTo();

    long commitLogMinOffset();
}
