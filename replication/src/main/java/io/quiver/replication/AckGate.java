package io.quiver.replication;

import io.netty.channel.EventLoop;
import io.quiver.store.PutResult;
import io.quiver.store.ReplicaGate;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A master's wait for its replicas: each group of sends that waits is queued with its end offset and
 * completed when a replica acknowledges that offset (SYNC_MASTER), or every replica of the in-sync set does
 * (controller mode, where nothing is confirmed while the master's lease is out). Waiters are kept on the shipping event loop (which also
 * receives every acknowledgement), in offset order, at most {@link #MAX_WAITERS}.
 */
final class AckGate implements ReplicaGate {
    /** Groups waiting for a replica, at most; beyond it a group is answered FLUSH_SLAVE_TIMEOUT at once. */
    static final int MAX_WAITERS = 100_000;

    private record Waiter(long end, CompletableFuture<PutResult.Status> done) {}

    private final ShippingServer server;
    private final EventLoop loop;
    private final long timeoutMillis;
    private final AtomicInteger handedOver = new AtomicInteger();
    // Owned by the loop.
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Highest end any in-sync replica acknowledged; written on the loop. */
    private volatile long acked = -1;
    /** Loop, controller mode: the position below which records are confirmed, and its floor after a set change. */
    private long confirmed = Long.MAX_VALUE;
    private long confirmedFloor = -1;
    /** Size of {@link #waiters} as the loop last saw it, for the bound check on the writer thread. */
    private volatile int waitersSize;

    AckGate(ShippingServer server, EventLoop loop, long timeoutMillis) {
        this.server = server;
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CompletableFuture<PutResult.Status> awaitReplicated(long end) {
        if (!server.mayAcknowledge()) {
            return CompletableFuture.completedFuture(PutResult.Status.SLAVE_NOT_AVAILABLE);
        }
        if (server.inSyncTooSmall()) {
            return CompletableFuture.completedFuture(PutResult.Status.IN_SYNC_REPLICAS_NOT_ENOUGH);
        }
        if (acked >= end) {
            return CompletableFuture.completedFuture(PutResult.Status.PUT_OK);
        }
        if (!server.controllerMode() && !server.anyReplicaInSync()) {
            return CompletableFuture.completedFuture(PutResult.Status.SLAVE_NOT_AVAILABLE);
        }
        if (handedOver.get() + waitersSize >= MAX_WAITERS) {
            return CompletableFuture.completedFuture(PutResult.Status.FLUSH_SLAVE_TIMEOUT);
        }
        CompletableFuture<PutResult.Status> done = new CompletableFuture<>();
        handedOver.incrementAndGet();
        try {
            loop.execute(() -> enqueue(end, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            handedOver.decrementAndGet(); // the replication listener has stopped
            return CompletableFuture.completedFuture(PutResult.Status.SLAVE_NOT_AVAILABLE);
        }
        return done.completeOnTimeout(PutResult.Status.FLUSH_SLAVE_TIMEOUT, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void enqueue(long end, CompletableFuture<PutResult.Status> done) {
        handedOver.decrementAndGet();
        if (acked >= end && server.mayAcknowledge()) {
            done.complete(PutResult.Status.PUT_OK);
            return;
        }
        prune();
        waiters.addLast(new Waiter(end, done));
        waitersSize = waiters.size();
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Loop: the replicas required changed; {@code best} is what all of them confirmed, which may be less than
     * before (a replica joined the in-sync set).
     */
    void reset(long best) {
        // What consumers could read stays readable: records written until now were confirmed by the earlier set
        // (all of them, when it had nobody to wait for); later ones need the new set.
        confirmedFloor = Math.min(confirmed, server.storeEnd());
        acked = best;
        publishConfirmed();
        complete(best);
    }

    /** Loop: a replica acknowledged; {@code best} is the end the required replicas (or any one) confirmed. */
    void acknowledged(long best) {
        if (best <= acked) {
            return;
        }
        acked = best;
        publishConfirmed();
        complete(best);
    }

    /** Loop, controller mode: consumers may read what every required replica holds (see MessageStore#getConfirmed). */
    private void publishConfirmed() {
        if (server.controllerMode()) {
            confirmed = Math.max(confirmedFloor, acked);
            server.confirmUpTo(confirmed);
        }
    }

    private void complete(long best) {
        if (!server.mayAcknowledge()) {
            return; // this master's lease ran out: whoever waits times out unconfirmed
        }
        while (!waiters.isEmpty() && (waiters.peekFirst().end() <= best || waiters.peekFirst().done().isDone())) {
            waiters.pollFirst().done().complete(PutResult.Status.PUT_OK);
        }
        waitersSize = waiters.size();
    }

    /** Loop: no replica is in sync any more; whoever waits is told at once. */
    void noReplicaInSync() {
        while (!waiters.isEmpty()) {
            waiters.pollFirst().done().complete(PutResult.Status.SLAVE_NOT_AVAILABLE);
        }
        waitersSize = 0;
    }

    /** Loop, every second: drops waiters already answered (timed out) from the head; after a lease came back, frees
     * those already confirmed. */
    void prune() {
        complete(acked);
        while (!waiters.isEmpty() && waiters.peekFirst().done().isDone()) {
            waiters.pollFirst();
        }
        waitersSize = waiters.size();
    }
}
