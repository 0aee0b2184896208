package io.quiver.store;

/**
 * The outcome of storing one message or one batch.
 *
 * @param status              what happened
 * @param remark              for failures, a sentence a person can act on
 * @param commitLogOffsets    offset of each stored record, in order (empty on failure)
 * @param queueOffsets        queue offset of each stored record, in order
 * @param storeTimestamp      store time given to the records
 */
public record PutResult(Status status, String remark, long[] commitLogOffsets, long[] queueOffsets, long storeTimestamp) {

    public enum Status {
        /** Stored (and, when the flush mode promises it, forced to disk). */
        PUT_OK,
        /** Stored, but the force to disk did not finish within the sync-flush timeout. */
        FLUSH_DISK_TIMEOUT,
        /** Stored here, but no replica confirmed it within the sync-flush timeout (SYNC_MASTER). */
        FLUSH_SLAVE_TIMEOUT,
        /** Stored here, but no replica is connected and in sync to confirm it (SYNC_MASTER). */
        SLAVE_NOT_AVAILABLE,
        /** Stored here, but the in-sync set is smaller than minInSyncReplicas, so it is not acknowledged (controller mode). */
        IN_SYNC_REPLICAS_NOT_ENOUGH,
        /** The force to disk failed; the record may not be durable. */
        FLUSH_FAILED,
        /** The message violates a limit (size of body, topic or properties). */
        MESSAGE_ILLEGAL,
        /** No room on disk for a new segment. Nothing was stored. */
        DISK_FULL,
        /** The store is not accepting writes (starting, stopping, or an I/O error). Nothing was stored. */
        SERVICE_NOT_AVAILABLE,
        /** Too many sends are already waiting for the store's writer. Nothing was stored; try again. */
        BUSY
    }

    public boolean isStored() {
        return status == Status.PUT_OK || status == Status.FLUSH_DISK_TIMEOUT || status == Status.FLUSH_FAILED
            || status == Status.FLUSH_SLAVE_TIMEOUT || status == Status.SLAVE_NOT_AVAILABLE
            || status == Status.IN_SYNC_REPLICAS_NOT_ENOUGH;
    }

    static PutResult failure(Status status, String remark) {
        return new PutResult(status, remark, new long[0], new long[0], 0);
    }

    PutResult withStatus(Status s, String r) {
        return new PutResult(s, r, commitLogOffsets, queueOffsets, storeTimestamp);
    }

    /** Queue offset of the first record, or -1 when nothing was stored. */
    public long firstQueueOffset() {
        return queueOffsets.length == 0 ? -1 : queueOffsets[0];
    }
}
