package io.quiver.store;

import java.nio.file.Path;

/**
 * Settings of one message store. Immutable; built by the broker from its configuration.
 *
 * @param rootDir                   data directory (commit log, consume queues, checkpoint below it)
 * @param commitLogSegmentBytes     size of each pre-allocated commit-log segment file
 * @param consumeQueueEntriesPerFile entries (20 bytes each) per consume-queue file
 * @param maxMessageBytes           largest body accepted
 * @param flushMode                 see {@link FlushMode}
 * @param syncFlushTimeoutMillis    a SYNC_FLUSH send not forced within this time is answered FLUSH_DISK_TIMEOUT
 * @param asyncFlushIntervalMillis  ASYNC_FLUSH period
 * @param retention                 deletion of old data and refusal of writes on a full disk
 * @param indexSlots                hash slots per index file
 * @param indexEntries              keys per index file
 * @param asyncFlushLeastPages      ASYNC_FLUSH: 4 KiB pages that must be dirty before a periodic force
 * @param asyncFlushThoroughIntervalMillis ASYNC_FLUSH: longest time between forces, whatever is dirty
 */
public record StoreConfig(
    Path rootDir,
    int commitLogSegmentBytes,
    int consumeQueueEntriesPerFile,
    int maxMessageBytes,
    FlushMode flushMode,
    long syncFlushTimeoutMillis,
    long asyncFlushIntervalMillis,
    RetentionConfig retention,
    int indexSlots,
    int indexEntries,
    int asyncFlushLeastPages,
    long asyncFlushThoroughIntervalMillis) {

    public static final int DEFAULT_INDEX_SLOTS = 1_000_000;
    public static final int DEFAULT_INDEX_ENTRIES = 4_000_000;

    public static final int DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
    public static final int DEFAULT_CQ_ENTRIES_PER_FILE = 300_000;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    public StoreConfig {
        if (indexSlots < 1 || indexEntries < 1) {
            throw new IllegalArgumentException("index files need at least one slot and one entry");
        }
        if (commitLogSegmentBytes < 64 * 1024) {
            throw new IllegalArgumentException("commit-log segment size must be at least 64 KiB, got " + commitLogSegmentBytes);
        }
        if (maxMessageBytes <= 0 || maxMessageBytes > commitLogSegmentBytes / 2) {
            throw new IllegalArgumentException("maxMessageSize " + maxMessageBytes
                + " must be positive and at most half the commit-log segment size " + commitLogSegmentBytes);
        }
        if (consumeQueueEntriesPerFile < 16) {
            throw new IllegalArgumentException("consume-queue files need at least 16 entries");
        }
    }

    public static StoreConfig defaults(Path rootDir) {
        return new StoreConfig(rootDir, DEFAULT_SEGMENT_BYTES, DEFAULT_CQ_ENTRIES_PER_FILE, DEFAULT_MAX_MESSAGE_BYTES,
            FlushMode.SYNC_FLUSH, 5_000, 500, RetentionConfig.DEFAULT,
            DEFAULT_INDEX_SLOTS, DEFAULT_INDEX_ENTRIES, 4, 10_000);
    }

    public StoreConfig withSegmentBytes(int bytes) {
        return new StoreConfig(rootDir, bytes, consumeQueueEntriesPerFile, maxMessageBytes, flushMode,
            syncFlushTimeoutMillis, asyncFlushIntervalMillis, retention, indexSlots, indexEntries,
            asyncFlushLeastPages, asyncFlushThoroughIntervalMillis);
    }

    public StoreConfig withFlushMode(FlushMode mode) {
        return new StoreConfig(rootDir, commitLogSegmentBytes, consumeQueueEntriesPerFile, maxMessageBytes, mode,
            syncFlushTimeoutMillis, asyncFlushIntervalMillis, retention, indexSlots, indexEntries,
            asyncFlushLeastPages, asyncFlushThoroughIntervalMillis);
    }

    public StoreConfig withMaxMessageBytes(int bytes) {
        return new StoreConfig(rootDir, commitLogSegmentBytes, consumeQueueEntriesPerFile, bytes, flushMode,
            syncFlushTimeoutMillis, asyncFlushIntervalMillis, retention, indexSlots, indexEntries,
            asyncFlushLeastPages, asyncFlushThoroughIntervalMillis);
    }

    public StoreConfig withRetention(RetentionConfig r) {
        return new StoreConfig(rootDir, commitLogSegmentBytes, consumeQueueEntriesPerFile, maxMessageBytes, flushMode,
            syncFlushTimeoutMillis, asyncFlushIntervalMillis, r, indexSlots, indexEntries,
            asyncFlushLeastPages, asyncFlushThoroughIntervalMillis);
    }

    public StoreConfig withIndexSize(int slots, int entries) {
        return new StoreConfig(rootDir, commitLogSegmentBytes, consumeQueueEntriesPerFile, maxMessageBytes, flushMode,
            syncFlushTimeoutMillis, asyncFlushIntervalMillis, retention, slots, entries,
            asyncFlushLeastPages, asyncFlushThoroughIntervalMillis);
    }

    public Path indexDir() {
        return rootDir.resolve("index");
    }

    public Path commitLogDir() {
        return rootDir.resolve("commitlog");
    }

    public Path consumeQueueDir() {
        return rootDir.resolve("consumequeue");
    }
}
