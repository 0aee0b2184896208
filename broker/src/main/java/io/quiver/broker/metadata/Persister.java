package io.quiver.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a metadata table to its JSON file in the background: a change only marks the table dirty (O(1)
 * on the request path), and {@link #flush()}, run by the broker's scheduler thread about once a second
 * and at shutdown, writes one snapshot covering every change since the last write. Whoever must know a
 * change is on disk (an admin request) waits for the future {@link #changed()} returns.
 */
final class Persister {
    private static final Logger log = LoggerFactory.getLogger(Persister.class);
    /** Most callers waiting for the next write; beyond it they are told at once (the write still comes). */
    static final int MAX_WAITERS = 10_000;

    private final Path file;
    private final Supplier<Object> snapshot;
    private boolean dirty;
    private List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private CompletableFuture<Void> nextWrite = new CompletableFuture<>();
    private volatile java.util.concurrent.Executor writer = Runnable::run;
    private boolean writeQueued;

    Persister(Path file, Supplier<Object> snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /** Where writes run soon after a change (the broker's scheduler); until set, changes wait for flush(). */
    void writeOn(java.util.concurrent.Executor executor) {
        this.writer = executor;
    }

    /** Completes once the next write (covering every change so far) has finished. */
    synchronized CompletableFuture<Void> nextWrite() {
        return dirty ? nextWrite : CompletableFuture.completedFuture(null);
    }

    /** Marks the table changed; the future completes once a write that includes the change finished. */
    synchronized CompletableFuture<Void> changed() {
        dirty = true;
        if (!writeQueued) {
            writeQueued = true;
            try {
                writer.execute(this::flush); // changes coalesce until this write runs
            } catch (RuntimeException e) {
                writeQueued = false; // the periodic flush picks it up
            }
        }
        return nextWrite;
    }

    /** Writes the table if it changed; one thread at a time (the scheduler, or shutdown). */
    void flush() {
        List<CompletableFuture<Void>> done;
        Object snap;
        synchronized (this) {
            if (!dirty) {
                return;
            }
            dirty = false;
            writeQueued = false;
            done = waiters;
            done.add(nextWrite);
            waiters = new ArrayList<>();
            nextWrite = new CompletableFuture<>();
            snap = snapshot.get();
        }
        try {
            JsonFile.write(file, snap);
            done.forEach(f -> f.complete(null));
        } catch (IOException e) {
            log.error("cannot write {}; the change is kept in memory and the write retried", file, e);
            synchronized (this) {
                dirty = true; // the old write's futures wait for the next successful write
                done.addAll(waiters);
                waiters = done;
            }
        }
    }
}
