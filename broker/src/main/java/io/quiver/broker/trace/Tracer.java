package io.quiver.broker.trace;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the broker's handlers tell the trace store about messages that are not visible in the commit log
 * itself: deliveries, acknowledgements, commits of offsets, transaction decisions. Every method returns at
 * once (the store takes entries through a bounded queue and drops when it is behind). {@link #NONE} when the
 * trace store is off.
 */
public interface Tracer {
    Tracer NONE = new Tracer() {
    };

    /** A pull handed {@code records} (views positioned at each record) of one queue to a consumer. */
    default void delivered(String group, String client, String topic, int queueId, List<ByteBuffer> records) {
    }

    /** A pop handed these offsets of one queue to a consumer, invisible for {@code invisibleMillis}. */
    default void popped(String group, String client, String topic, int queueId, long[] offsets, long invisibleMillis) {
    }

    /** A pop's acknowledgement of one message. */
    default void acked(String group, String topic, int queueId, long offset) {
    }

    /** A pop's invisible time changed to {@code invisibleMillis} from now. */
    default void invisibleChanged(String group, String topic, int queueId, long offset, long invisibleMillis) {
    }

    /** A group's committed offset of a queue moved forward from {@code from} (-1: none before) to {@code to}. */
    default void committed(String group, String topic, int queueId, long from, long to) {
    }

    /** A transaction was decided: {@code commit} or rolled back, by the producer or its answer to a check. */
    default void transactionDecided(String msgId, String producerGroup, boolean commit) {
    }

    /** The broker asked {@code producerGroup} ({@code client}) for a transaction's state, the {@code checks}-th time. */
    default void transactionChecked(String msgId, String producerGroup, String client, int checks) {
    }
}
