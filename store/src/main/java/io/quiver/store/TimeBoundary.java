package io.quiver.store;

/** How {@link MessageReader#offsetForTimestamp} picks among messages near the given time. */
public enum TimeBoundary {
    /** 4.9 behaviour: the offset whose store time is nearest to the timestamp. */
    NEAREST,
    /** First offset stored at or after the timestamp (max offset if none). */
    LOWER,
    /** Last offset stored at or before the timestamp. */
    UPPER
}
