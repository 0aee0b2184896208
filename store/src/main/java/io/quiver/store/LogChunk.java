package io.quiver.store;

import java.nio.ByteBuffer;

/**
 * Whole commit-log entries read for shipping to a replica: the records (with their CRC trailers) and, where a
 * segment ends, its blank marker, exactly as stored from offset {@code from} up to {@code next}. A chunk of
 * kind {@link Kind#GAP} carries no bytes: the range [from, next) was found damaged at recovery and stepped
 * over, and the replica leaves it empty as well.
 */
public record LogChunk(Kind kind, long from, long next, ByteBuffer bytes) {
    public enum Kind { ENTRIES, GAP, NOTHING_NEW }

    static LogChunk nothingNew(long at) {
        return new LogChunk(Kind.NOTHING_NEW, at, at, ByteBuffer.allocate(0));
    }
}
