package io.quiver.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush owner ({@code quiver-flush}): the only thread that forces the commit log to disk. In SYNC_FLUSH
 * mode the writer thread hands over the position a group of sends needs durable; each cycle forces
 * everything appended so far with one call (group commit) and completes every waiter it covers. In
 * ASYNC_FLUSH mode it forces periodically. It does nothing else, so no other disk work delays a waiting
 * send (checkpoints run on the maintenance thread). Waiters' futures only hand results on to the sends'
 * own executors ({@link Appender}), so no reply work runs here.
 *
 * <p>Threads: {@link #awaitDurable} from any thread (in practice the writer); the waiting list, the
 * last-force times and the force itself belong to the flush thread.
 */
final class FlushService extends DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(FlushService.class);

    /** Bound on groups waiting for a force at once; beyond it they are answered as not forced in time. */
    static final int MAX_WAITERS = 100_000;
    /** Longest idle wait in SYNC_FLUSH mode (a waiter always wakes the thread at once). */
    static final long IDLE_WAIT_MILLIS = 1_000;

    private record Waiter(long position, CompletableFuture<PutResult.Status> done) {}

    private final CommitLog commitLog;
    private final StoreConfig config;
    private final ArrayBlockingQueue<Waiter> handedOver = new ArrayBlockingQueue<>(MAX_WAITERS);
    private volatile long flushedPosition;
    private final java.util.concurrent.atomic.LongAdder forces = new java.util.concurrent.atomic.LongAdder();
    private volatile java.util.function.LongConsumer forceListener = nanos -> { };

    // Owned by the flush thread.
    private final List<Waiter> waiting = new ArrayList<>();
    private Throwable lastFailure;
    private long lastForceNanos = System.nanoTime();

    FlushService(CommitLog commitLog, StoreConfig config) {
        super("quiver-flush", config.flushMode() == FlushMode.SYNC_FLUSH ? IDLE_WAIT_MILLIS : config.asyncFlushIntervalMillis());
        this.commitLog = commitLog;
        this.config = config;
        this.flushedPosition = commitLog.writePosition();
    }

    /** Called on the flush thread with the duration of every successful force, in nanoseconds. */
    void onForce(java.util.function.LongConsumer listener) {
        this.forceListener = listener;
    }

    long forceCount() {
        return forces.sum();
    }

    long flushedPosition() {
        return flushedPosition;
    }

    /**
     * Completes with PUT_OK once {@code position} is forced, FLUSH_DISK_TIMEOUT if that takes longer than
     * the sync-flush timeout, FLUSH_FAILED if the force fails, SERVICE_NOT_AVAILABLE if too many wait.
     */
    CompletableFuture<PutResult.Status> awaitDurable(long position) {
        CompletableFuture<PutResult.Status> done = new CompletableFuture<>();
        if (position <= flushedPosition) {
            done.complete(PutResult.Status.PUT_OK);
            return done;
        }
        if (!handedOver.offer(new Waiter(position, done))) {
            done.complete(PutResult.Status.SERVICE_NOT_AVAILABLE);
            return done;
        }
        wake();
        return done.completeOnTimeout(PutResult.Status.FLUSH_DISK_TIMEOUT, config.syncFlushTimeoutMillis(),
            TimeUnit.MILLISECONDS);
    }

    @Override
    protected int doWork() {
        handedOver.drainTo(waiting);
        int n = waiting.size();
        if (!dueToForce()) {
            return 0;
        }
        flushOnce();
        return n;
    }

    /**
     * With waiters: now. Without: in ASYNC_FLUSH mode RocketMQ's rule (enough dirty pages, or the thorough
     * interval passed); in SYNC_FLUSH mode what sends that did not wait left behind, once per idle wait.
     */
    private boolean dueToForce() {
        long target = commitLog.writePosition();
        if (target <= flushedPosition) {
            return !waiting.isEmpty(); // answers waiters already covered
        }
        if (!waiting.isEmpty()) {
            return true;
        }
        long sinceForce = System.nanoTime() - lastForceNanos;
        if (config.flushMode() == FlushMode.SYNC_FLUSH) {
            return sinceForce >= TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MILLIS);
        }
        return target - flushedPosition >= (long) config.asyncFlushLeastPages() * 4096
            || sinceForce >= TimeUnit.MILLISECONDS.toNanos(config.asyncFlushThoroughIntervalMillis());
    }

    private void flushOnce() {
        synchronized (forceLock) {
            flushOnceLocked();
        }
    }

    /** Held while the log is forced, and while a replica's log is cut back under the flush thread's feet. */
    private final Object forceLock = new Object();

    /** Runs {@code r} while no force is under way (a replica cutting its log back). */
    void whilePaused(Runnable r) {
        synchronized (forceLock) {
            r.run();
        }
    }

    /** The log was cut back to {@code end}: what is forced can be no further (with {@link #whilePaused}). */
    void rewindTo(long end) {
        if (flushedPosition > end) {
            flushedPosition = end;
        }
    }

    private void flushOnceLocked() {
        long target = commitLog.writePosition();
        PutResult.Status status = PutResult.Status.PUT_OK;
        if (target > flushedPosition) {
            try {
                long t0 = System.nanoTime();
                commitLog.forceRange(flushedPosition, target);
                forces.increment();
                lastForceNanos = System.nanoTime();
                forceListener.accept(lastForceNanos - t0);
                flushedPosition = target;
                lastFailure = null;
            } catch (RuntimeException | Error e) {
                if (lastFailure == null) {
                    log.error("forcing the commit log to disk failed; sends are answered with an error until it works", e);
                }
                lastFailure = e;
                status = PutResult.Status.FLUSH_FAILED;
            }
        }
        int kept = 0;
        for (Waiter w : waiting) {
            if (status != PutResult.Status.PUT_OK || w.position() <= flushedPosition) {
                w.done().complete(status);
            } else {
                waiting.set(kept++, w); // appended after the force began: the next force covers it
            }
        }
        waiting.subList(kept, waiting.size()).clear();
    }

    /** A final force once the loop has stopped; every waiter is answered. */
    @Override
    protected void onStop() {
        handedOver.drainTo(waiting);
        flushOnce();
        for (Waiter w : waiting) {
            w.done().complete(PutResult.Status.FLUSH_FAILED);
        }
        waiting.clear();
    }

    void shutdown() {
        close();
    }
}
