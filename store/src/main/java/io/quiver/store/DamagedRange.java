package io.quiver.store;

/**
 * Commit-log bytes [{@code from}, {@code to}) that recovery found damaged with valid records after them, and
 * stepped over: whatever message was stored there is lost, nothing after it.
 */
public record DamagedRange(long from, long to) {
    public long bytes() {
        return to - from;
    }
}
