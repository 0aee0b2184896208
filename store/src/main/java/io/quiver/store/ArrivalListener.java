package io.quiver.store;

/**
 * Told of every record the moment it becomes readable in its consume queue: the one "queue advanced"
 * signal that long polling, delay levels and timers follow. Called on the store's appending thread, so it
 * must be cheap and must not block or call back into the store's write path.
 */
@FunctionalInterface
public interface ArrivalListener {
    ArrivalListener NONE = (topic, queueId, queueOffset, tagsCode) -> { };

    /**
     * @param tagsCode the record's consume-queue tag code: its tag hash, or for delayed and timer records
     *                 the time it is due
     */
    void arrived(String topic, int queueId, long queueOffset, long tagsCode);
}
