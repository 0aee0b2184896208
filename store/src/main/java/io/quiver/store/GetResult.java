package io.quiver.store;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The outcome of reading from one queue. {@code records} are read-only views of stored records in the
 * wire layout (no copies), in queue order; they stay valid until {@link #release()}, which whoever uses
 * them last must call (after the reply carrying them is written, or once decoded).
 *
 * @param status          what was found
 * @param records         matched records
 * @param nextBeginOffset where the reader should continue
 * @param minOffset       smallest queue offset still stored
 * @param maxOffset       next queue offset to be written
 */
public record GetResult(Status status, List<ByteBuffer> records, long nextBeginOffset, long minOffset, long maxOffset,
                        ReadHold hold) implements AutoCloseable {

    /** A result without views (nothing to release). */
    public GetResult(Status status, List<ByteBuffer> records, long nextBeginOffset, long minOffset, long maxOffset) {
        this(status, records, nextBeginOffset, minOffset, maxOffset, ReadHold.NONE);
    }

    /** Lets go of the segments the records are views of; idempotent. */
    public void release() {
        hold.release();
    }

    @Override
    public void close() {
        release();
    }

    public enum Status {
        FOUND,
        /** Entries were scanned but none matched the filter. */
        NO_MATCHED_MESSAGE,
        /** The queue does not exist or holds no messages. */
        NO_MESSAGE_IN_QUEUE,
        /** The offset equals the max offset: nothing new yet. */
        OFFSET_OVERFLOW_ONE,
        /** The offset is beyond the max offset. */
        OFFSET_OVERFLOW_BADLY,
        /** The offset is below the min offset (data deleted). */
        OFFSET_TOO_SMALL,
        /** An entry points at data that is gone or damaged; skipped. */
        OFFSET_FOUND_NULL
    }

    public int totalBytes() {
        int n = 0;
        for (ByteBuffer b : records) {
            n += b.remaining();
        }
        return n;
    }
}
