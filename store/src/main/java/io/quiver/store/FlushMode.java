package io.quiver.store;

/** When an appended record is forced to disk relative to the producer's acknowledgement. */
public enum FlushMode {
    /** The send is acknowledged after the record is forced to disk (group commit). Quiver's default. */
    SYNC_FLUSH,
    /** The send is acknowledged when the record is in the page cache; a flusher forces periodically. */
    ASYNC_FLUSH
}
