package io.quiver.replication;

import io.quiver.store.LogChunk;

/**
 * The messages of the shipping protocol between a master and a replica (the bytes are in {@link Frames}).
 * A replica opens the connection and says who it is and where its log ends ({@link Hello}); the master
 * answers where it will ship from ({@link Welcome}) or why it will not ({@link Refused}), then streams
 * {@link Entries} and, when idle, {@link Heartbeat}s; the replica reports each end it has stored
 * ({@link Ack}).
 */
public sealed interface Frame {
    /** Protocol version a replica states; a master refuses another. */
    int VERSION = 1;

    /**
     * Replica to master, first frame.
     *
     * @param maxMessageBytes the replica's maxMessageSize: it must hold every record the master may ship
     * @param endOffset where the replica's commit log ends
     * @param emptyLog  the replica's log has no segment yet (it may start at the master's oldest one)
     */
    record Hello(int version, String cluster, String brokerName, long brokerId, int segmentBytes,
                 int maxMessageBytes, long endOffset, boolean emptyLog) implements Frame {}

    /** Master to replica: shipping starts at {@code startOffset}; the master's log spans [minOffset, endOffset). */
    record Welcome(long startOffset, long masterMinOffset, long masterEndOffset) implements Frame {}

    /** Master to replica, then the master closes: why this replica cannot follow it. */
    record Refused(String reason) implements Frame {}

    /** Master to replica: entries to store at their own offsets (or a gap the master stepped over). */
    record Entries(LogChunk chunk) implements Frame {}

    /** Replica to master: everything below {@code endOffset} is stored (and forced, if the replica forces). */
    record Ack(long endOffset) implements Frame {}

    /** Master to replica when nothing new was shipped for a while: its log's end and its clock. */
    record Heartbeat(long masterEndOffset, long masterTimeMillis) implements Frame {}
}
