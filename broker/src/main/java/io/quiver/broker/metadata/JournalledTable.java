package io.quiver.broker.metadata;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the topic and group tables share: a JSON snapshot and its journal on disk ({@link Persister}), and
 * the three ways the broker drives them (where writes run, waiting for them, writing what is pending).
 */
abstract class JournalledTable {
    protected final Persister persister;

    protected JournalledTable(Path file) {
        this.persister = new Persister(file, this::diskSnapshot);
    }

    /** The table's on-disk shape, taken when the journal is folded into the snapshot. */
    protected abstract Object diskSnapshot();

    /** Where changes are written soon after they happen (the broker's metadata writer thread). */
    public void writeOn(Executor executor) {
        persister.writeOn(executor);
    }

    /** Completes once every change made so far is on disk. */
    public CompletableFuture<Void> written() {
        return persister.nextWrite();
    }

    /** Writes pending changes (a periodic retry of failed writes, and shutdown). */
    public void flush() {
        persister.flush();
    }
}
