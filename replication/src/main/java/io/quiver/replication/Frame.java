package io.quiver.replication;

import io.quiver.store.EpochHistory;
import io.quiver.store.LogChunk;
import java.util.List;

/**
 * The messages of the shipping protocol between a master and a replica (the bytes are in {@link Frames}).
 * A replica opens the connection and says who it is and where its log ends ({@link Hello}); the master
 * answers where it will ship from ({@link Welcome}) or why it will not ({@link Refused}), then streams
 * {@link Entries} and, when idle, {@link Heartbeat}s; the replica reports each end it has stored
 * ({@link Ack}).
 */
public sealed interface Frame {
    /** Protocol version a replica states; a master refuses another. */
    int VERSION = 2;

    /**
     * Replica to master, first frame.
     *
     * @param maxMessageBytes the replica's maxMessageSize: it must hold every record the master may ship
     * @param endOffset where the replica's commit log ends
     * @param emptyLog  the replica's log has no segment yet (it may start at the master's oldest one)
     * @param terms     the master terms the replica's log came from (see {@link EpochHistory}), oldest first
     */
    record Hello(int version, String cluster, String brokerName, long brokerId, int segmentBytes,
                 int maxMessageBytes, long endOffset, boolean emptyLog, List<EpochHistory.Entry> terms) implements Frame {}

    /**
     * Master to replica: shipping starts at {@code startOffset}; the master's log spans [minOffset, endOffset).
     *
     * @param truncateTo -1, or where the replica must first cut its log back to (then equal to startOffset): the
     *                   records after it were written in a term the master does not have
     * @param terms      the master's terms, which the replica keeps once its log is a prefix of the master's
     */
    record Welcome(long startOffset, long masterMinOffset, long masterEndOffset, long truncateTo,
                   List<EpochHistory.Entry> terms) implements Frame {
        public Welcome(long startOffset, long masterMinOffset, long masterEndOffset) {
            this(startOffset, masterMinOffset, masterEndOffset, -1, List.of());
        }
    }

    /** Master to replica, then the master closes: why this replica cannot follow it. */
    record Refused(String reason) implements Frame {}

    /**
     * Master to replica: entries to store at their own offsets (or a gap the master stepped over).
     *
     * @param received on the replica, the received frame's bytes the chunk is a view of (null when it is not):
     *                 {@link #release()} them once the chunk is stored or dropped
     */
    record Entries(LogChunk chunk, io.netty.buffer.ByteBuf received) implements Frame {
        public Entries(LogChunk chunk) {
            this(chunk, null);
        }

        /** Gives the received bytes back to the pool; the chunk must not be read afterwards. */
        public void release() {
            if (received != null) {
                received.release();
            }
        }
    }

    /** Replica to master: everything below {@code endOffset} is stored (and forced, if the replica forces). */
    record Ack(long endOffset) implements Frame {}

    /** Master to replica when nothing new was shipped for a while: its log's end and its clock. */
    record Heartbeat(long masterEndOffset, long masterTimeMillis) implements Frame {}
}
