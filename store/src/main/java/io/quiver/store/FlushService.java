package io.quiver.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush owner: the only thread that forces the commit log to disk. In SYNC_FLUSH mode producers
 * register the position they need durable; each round forces everything appended so far with one call
 * (group commit) and completes every waiter it covers. In ASYNC_FLUSH mode it forces periodically. It does
 * nothing else, so no other disk work delays a waiting send (checkpoints run on the maintenance thread). Waiters are completed on this thread (or the JDK's timeout thread), never
 * blocking a network thread.
 */
final class FlushService implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(FlushService.class);

    /** Bound on producers waiting for a force at once; beyond it puts are refused as busy. */
    static final int MAX_WAITERS = 100_000;
    /** Longest idle wait in SYNC_FLUSH mode (a put always wakes the thread at once). */
    static final long IDLE_WAIT_MILLIS = 1_000;

    private record Waiter(long position, CompletableFuture<PutResult.Status> done) {}

    private final CommitLog commitLog;
    private final StoreConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private List<Waiter> waiters = new ArrayList<>();
    private volatile long flushedPosition;
    private final java.util.concurrent.atomic.LongAdder forces = new java.util.concurrent.atomic.LongAdder();
    private volatile java.util.function.LongConsumer forceListener = nanos -> { };
    private volatile boolean running = true;
    private volatile Throwable lastFailure;
    private Thread thread;

    FlushService(CommitLog commitLog, StoreConfig config) {
        this.commitLog = commitLog;
        this.config = config;
        this.flushedPosition = commitLog.writePosition();
    }

    void start() {
        thread = new Thread(this, "quiver-flush");
        thread.setDaemon(true);
        thread.start();
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
     * the sync-flush timeout, FLUSH_FAILED if the force fails.
     */
    CompletableFuture<PutResult.Status> awaitDurable(long position) {
        CompletableFuture<PutResult.Status> done = new CompletableFuture<>();
        if (position <= flushedPosition) {
            done.complete(PutResult.Status.PUT_OK);
            return done;
        }
        lock.lock();
        try {
            if (waiters.size() >= MAX_WAITERS) {
                done.complete(PutResult.Status.SERVICE_NOT_AVAILABLE);
                return done;
            }
            waiters.add(new Waiter(position, done));
            wake.signal();
        } finally {
            lock.unlock();
        }
        return done.completeOnTimeout(PutResult.Status.FLUSH_DISK_TIMEOUT, config.syncFlushTimeoutMillis(),
            TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        boolean sync = config.flushMode() == FlushMode.SYNC_FLUSH;
        long idleWaitMillis = sync ? IDLE_WAIT_MILLIS : config.asyncFlushIntervalMillis();
        while (running) {
            List<Waiter> batch;
            lock.lock();
            try {
                if (waiters.isEmpty() && running) {
                    wake.await(idleWaitMillis, TimeUnit.MILLISECONDS);
                }
                batch = waiters;
                waiters = new ArrayList<>();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            flushOnce(batch);
        }
    }

    private long lastThoroughFlushNanos = System.nanoTime();

    private void flushOnce(List<Waiter> batch) {
        long target = commitLog.writePosition();
        PutResult.Status status = PutResult.Status.PUT_OK;
        if (config.flushMode() == FlushMode.ASYNC_FLUSH && batch.isEmpty() && running) {
            // RocketMQ's rule: force only once enough pages are dirty, or after the thorough interval.
            boolean enoughPages = target - flushedPosition >= (long) config.asyncFlushLeastPages() * 4096;
            boolean thorough = System.nanoTime() - lastThoroughFlushNanos
                >= TimeUnit.MILLISECONDS.toNanos(config.asyncFlushThoroughIntervalMillis());
            if (!enoughPages && !thorough) {
                return;
            }
            if (thorough) {
                lastThoroughFlushNanos = System.nanoTime();
            }
        }
        if (target > flushedPosition) {
            try {
                long t0 = System.nanoTime();
                commitLog.forceRange(flushedPosition, target);
                forces.increment();
                forceListener.accept(System.nanoTime() - t0);
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
        List<Waiter> notYet = null;
        for (Waiter w : batch) {
            if (status != PutResult.Status.PUT_OK || w.position() <= flushedPosition) {
                w.done().complete(status);
            } else {
                if (notYet == null) {
                    notYet = new ArrayList<>();
                }
                notYet.add(w);
            }
        }
        if (notYet != null) {
            lock.lock();
            try {
                notYet.addAll(waiters);
                waiters = notYet;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Stops the thread after a final force; waiters still pending are completed. */
    void shutdown() {
        running = false;
        lock.lock();
        try {
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Waiter> rest;
        lock.lock();
        try {
            rest = waiters;
            waiters = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        flushOnce(rest);
    }
}
