package io.quiver.broker.support;

import io.quiver.store.MessageReader;
import java.nio.ByteBuffer;

/**
 * Reads the record at a commit-log offset taken from a request (VIEW_MESSAGE_BY_ID, CONSUMER_SEND_MSG_BACK,
 * END_TRANSACTION). Such offsets come from clients and may be anything; one outside the commit log is
 * answered as "no record" here, before the store computes with it (an offset near Long.MAX_VALUE would
 * overflow the store's own range check). Stateless.
 */
public final class RecordLookup {
    private RecordLookup() {}

    /** The record at {@code offset}, or null when there is none (outside the commit log, or not a record start). */
    public static ByteBuffer at(MessageReader store, long offset) {
        if (offset < store.commitLogMinOffset() || offset >= store.commitLogWritePosition()) {
            return null;
        }
        return store.recordAt(offset);
    }
}
