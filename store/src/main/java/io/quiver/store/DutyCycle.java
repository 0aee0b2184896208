package io.quiver.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named background thread that repeats a bounded unit of work: {@link #doWork()} runs, and when it
 * reports nothing done the thread parks until {@link #wake()} or the idle wait ends. Every background loop
 * of the store and the broker (append, flush, index, long polling, delay levels, timers, transaction
 * checks) is one of these, so they start, wake, fail and stop the same way.
 *
 * <p>Threads: {@link #doWork()} and {@link #onStop()} run on the owned thread only (onStop after the loop
 * has ended, or on the closing thread when the loop never started); {@link #wake()} and {@link #close()} may
 * be called from any thread. Subclasses keep their mutable state confined to the owned thread and take work
 * from other threads through bounded queues.
 */
public abstract class DutyCycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DutyCycle.class);

    /** How long {@link #close()} waits for the loop to end before giving up on it. */
    public static final long STOP_DEADLINE_MILLIS = 10_000;

    private final String threadName;
    private final long idleWaitNanos;
    private volatile boolean running;
    private volatile boolean stopped;
    private volatile Thread thread;
    private long failures;

    /**
     * @param threadName     the thread's name (one per instance)
     * @param idleWaitMillis how long to park when a cycle did nothing, unless woken earlier
     */
    protected DutyCycle(String threadName, long idleWaitMillis) {
        this.threadName = threadName;
        this.idleWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, idleWaitMillis));
    }

    /**
     * Does at most a bounded amount of work and returns how much was done; 0 means idle (the thread then
     * parks). An exception is logged and the loop goes on with the next cycle.
     */
    protected abstract int doWork() throws Exception;

    /**
     * How long to park after a cycle that did nothing; by default the idle wait given at construction.
     * Loops that know when their next work falls due (delay levels, timers) return less.
     */
    protected long idleWaitNanos() {
        return idleWaitNanos;
    }

    /** Last work after the loop has ended (a final flush, answering what is still queued). */
    protected void onStop() {
    }

    /** Work before the loop starts, on the starting thread (recovering progress from the store). */
    protected void beforeStart() {
    }

    /** Runs {@link #beforeStart()}, then starts the thread; once only. */
    public final synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(threadName + " already started");
        }
        beforeStart();
        running = true;
        Thread t = new Thread(this::loop, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Marks the loop running without starting its thread: the caller runs {@link #doWork()} itself (the
     * store's deterministic simulations). {@link #close()} then only runs {@link #onStop()}.
     */
    final synchronized void startStepped() {
        if (thread != null || running) {
            throw new IllegalStateException(threadName + " already started");
        }
        beforeStart();
        running = true;
    }

    /** True on the owned thread (for assertions and ownership checks). */
    protected final boolean onOwnThread() {
        return Thread.currentThread() == thread;
    }

    /** Makes the thread run a cycle soon; cheap, callable from any thread. */
    public final void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    protected final boolean isRunning() {
        return running;
    }

    private void loop() {
        while (running) {
            int done;
            try {
                done = doWork();
            } catch (Throwable e) {
                if (failures++ % 1000 == 0) {
                    log.error("{}: a duty cycle failed ({} so far); continuing", threadName, failures, e);
                }
                done = 0;
            }
            if (done == 0 && running) {
                long wait = idleWaitNanos();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        }
        runOnStop();
    }

    private void runOnStop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            onStop();
        } catch (RuntimeException e) {
            log.error("{}: stopping failed", threadName, e);
        }
    }

    /** Ends the loop, waits up to {@link #STOP_DEADLINE_MILLIS} for it, and runs {@link #onStop()} once. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) {
            runOnStop();
            return;
        }
        LockSupport.unpark(t);
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(STOP_DEADLINE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("{} did not stop within {} ms", threadName, STOP_DEADLINE_MILLIS);
        }
    }
}
