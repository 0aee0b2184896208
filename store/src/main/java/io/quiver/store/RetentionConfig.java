package io.quiver.store;

import java.util.Set;

/**
 * When old data is deleted and when writes are refused for lack of space.
 *
 * @param fileReservedMillis     commit-log segments whose newest message is older than this are deleted
 * @param deleteHours            hours of the day (0–23) when expired segments are deleted
 * @param cleanRatio             above this disk use, expired segments are deleted at any hour
 * @param forcibleRatio          above this disk use, the oldest segment is deleted even if not expired;
 *                               1.0 (the default) means never: unexpired messages are kept and writes refused
 * @param refuseWritesRatio      at or above this disk use, writes are refused until space is freed
 * @param minFreeBytes           writes are also refused while less than this many bytes are available
 *                               (small or shared volumes, where a ratio leaves too little); 0 = no floor
 */
public record RetentionConfig(long fileReservedMillis, Set<Integer> deleteHours, double cleanRatio,
                              double forcibleRatio, double refuseWritesRatio, long minFreeBytes) {
    public static final RetentionConfig DEFAULT = new RetentionConfig(72L * 3600 * 1000, Set.of(4), 0.75, 1.0, 0.90);

    /** Without a floor in bytes. */
    public RetentionConfig(long fileReservedMillis, Set<Integer> deleteHours, double cleanRatio, double forcibleRatio,
                           double refuseWritesRatio) {
        this(fileReservedMillis, deleteHours, cleanRatio, forcibleRatio, refuseWritesRatio, 0);
    }

    public RetentionConfig {
        if (refuseWritesRatio <= 0 || refuseWritesRatio > 1 || cleanRatio <= 0 || cleanRatio > refuseWritesRatio) {
            throw new IllegalArgumentException("disk ratios must satisfy 0 < clean (" + cleanRatio
                + ") <= refuse-writes (" + refuseWritesRatio + ") <= 1");
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("the free-space floor cannot be negative: " + minFreeBytes);
        }
    }
}
