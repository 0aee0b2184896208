package io.quiver.store;

import java.nio.ByteBuffer;

/**
 * Told of every record the index thread reads from the commit log, in log order, on that thread: the place to
 * learn of each stored message without adding work to the append path. Implementations must be quick and
 * must not keep {@code record}, a view that is only valid during the call.
 */
@FunctionalInterface
public interface IndexedRecordListener {
    IndexedRecordListener NONE = (record, commitLogOffset, topic, properties) -> { };

    void indexed(ByteBuffer record, long commitLogOffset, String topic, String properties);
}
