package io.quiver.store;

/** How {@link MessageReader#offsetForTimestamp} picks among messages near the given time. */
public enum TimeBoundary {
    /** First offset stored at or after the timestamp (max offset if none). */
    LOWER,
    /** Last offset stored at or before the timestamp. */
    UPPER
}
