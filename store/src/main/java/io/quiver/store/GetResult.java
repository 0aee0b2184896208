package io.quiver.store;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The outcome of reading from one queue. {@code records} are read-only views of stored records in the
 * wire layout (no copies), in queue order.
 *
 * @param status          what was found
 * @param records         matched records
 * @param nextBeginOffset where the reader should continue
 * @param minOffset       smallest queue offset still stored
 * @param maxOffset       next queue offset to be written
 */
public record GetResult(Status status, List<ByteBuffer> records, long nextBeginOffset, long minOffset, long maxOffset) {

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
