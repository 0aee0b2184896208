package io.quiver.store;

import java.util.concurrent.CompletableFuture;

/**
 * What a SYNC_MASTER's sends wait for besides the disk: a replica confirming that it stored everything below a
 * commit-log offset. Implemented by the replication layer; the store asks it once per group of sends.
 */
public interface ReplicaGate {
    /**
     * Completes with {@link PutResult.Status#PUT_OK} once a replica has stored everything below {@code end};
     * {@link PutResult.Status#SLAVE_NOT_AVAILABLE} at once when no replica is connected and in sync;
     * {@link PutResult.Status#FLUSH_SLAVE_TIMEOUT} when none confirms in time. Called on the store's writer
     * thread; must not block.
     */
    CompletableFuture<PutResult.Status> awaitReplicated(long end);
}
