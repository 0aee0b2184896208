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

    /**
     * The answer for a read of {@code offset} in a queue holding {@code [min, max)} when nothing can be read
     * there (empty queue, offset below or at/after the end), or {@code null} when the offset is readable.
     */
    public static GetResult outOfRange(long offset, long min, long max) {
        if (max == 0) {
            return new GetResult(Status.NO_MESSAGE_IN_QUEUE, List.of(), 0, 0, 0);
        }
        if (offset < min) {
            return new GetResult(Status.OFFSET_TOO_SMALL, List.of(), min, min, max);
        }
        if (offset == max) {
            return new GetResult(Status.OFFSET_OVERFLOW_ONE, List.of(), offset, min, max);
        }
        if (offset > max) {
            return new GetResult(Status.OFFSET_OVERFLOW_BADLY, List.of(), max, min, max);
        }
        return null;
    }

    public int totalBytes() {
        int n = 0;
        for (ByteBuffer b : records) {
            n += b.remaining();
        }
        return n;
    }
}
