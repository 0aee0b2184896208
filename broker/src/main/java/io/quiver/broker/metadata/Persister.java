package io.quiver.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a metadata table to its JSON file off the request path: a change marks the table dirty and queues
 * one write on the writer executor (the broker's scheduler thread); changes made before that write runs
 * join it, so a flood of creations costs one write per scheduler turn, not one per creation. Whoever must
 * know a change is on disk (an admin request, a send that created its topic) waits for the future
 * {@link #changed()} returns. {@link #flush()} also runs periodically and at shutdown.
 */
final class Persister {
    private static final Logger log = LoggerFactory.getLogger(Persister.class);

    private final Path file;
    private final Supplier<Object> snapshot;
    private volatile Executor writer = Runnable::run;
    private boolean dirty;
    private boolean writeQueued;
    /** Completes when the write covering every change so far has finished. */
    private CompletableFuture<Void> nextWrite = new CompletableFuture<>();

    Persister(Path file, Supplier<Object> snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /** Where writes run soon after a change (the broker's scheduler); until set, they run at once. */
    void writeOn(Executor executor) {
        this.writer = executor;
    }

    /** Completes once every change made so far is on disk. */
    synchronized CompletableFuture<Void> nextWrite() {
        return dirty ? nextWrite : CompletableFuture.completedFuture(null);
    }

    /** Marks the table changed; the future completes once a write that includes the change finished. */
    CompletableFuture<Void> changed() {
        CompletableFuture<Void> f;
        boolean queue;
        synchronized (this) {
            dirty = true;
            f = nextWrite;
            queue = !writeQueued;
            writeQueued = true;
        }
        if (queue) {
            try {
                writer.execute(this::flush);
            } catch (RuntimeException e) {
                synchronized (this) {
                    writeQueued = false; // the periodic flush picks it up
                }
            }
        }
        return f;
    }

    /** Writes the table if it changed; one thread at a time (the scheduler, or shutdown). */
    void flush() {
        CompletableFuture<Void> done;
        Object snap;
        synchronized (this) {
            if (!dirty) {
                return;
            }
            dirty = false;
            writeQueued = false;
            done = nextWrite;
            nextWrite = new CompletableFuture<>();
        }
        // Taken outside this monitor: tables call changed() while holding their own monitor, which the
        // snapshot may take too. A change after dirty was cleared queues the next write, so none is missed.
        snap = snapshot.get();
        try {
            JsonFile.write(file, snap);
            done.complete(null);
        } catch (IOException e) {
            log.error("cannot write {}; the change is kept in memory and the write retried", file, e);
            synchronized (this) {
                dirty = true; // whoever waited for this write waits for the next one that succeeds
                nextWrite.whenComplete((v, x) -> done.complete(null));
            }
        }
    }
}
