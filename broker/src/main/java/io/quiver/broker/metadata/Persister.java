package io.quiver.broker.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a metadata table on disk at a cost that does not grow with the table: each change is one line
 * appended to a journal beside the table's JSON snapshot ({@code topics.json} + {@code topics.json.journal}),
 * and the snapshot is rewritten (and the journal emptied) only once {@link #MAX_JOURNAL_LINES} changes have
 * accumulated. Changes are written off the request path, on the writer executor (the broker's scheduler),
 * several per write and one {@code fsync}; whoever must know a change is on disk (an admin request, a send
 * that created its topic) waits for the future {@link #changed} returns. On load the table replays the
 * journal over the snapshot ({@link #replay}); a torn last line (a crash mid-append) is ignored.
 *
 * <p>Threads: {@link #changed} from any thread (callers hold their table's monitor, so lines are in change
 * order); {@link #flush()} from any thread, one at a time: the writer executor, the broker's periodic flush and
 * shutdown all call it, and {@link #writing} keeps their writes apart and in the order their changes were taken.
 * Lock order: {@link #writing}, then the table's monitor (the snapshot), then this object's monitor.
 */
final class Persister {
    private static final Logger log = LoggerFactory.getLogger(Persister.class);

    /** Journal lines after which the next write rewrites the snapshot instead. */
    static final int MAX_JOURNAL_LINES = 1_000;
    /** Most changes waiting for a write; beyond it a change writes the snapshot itself (never lost). */
    static final int MAX_PENDING_LINES = 100_000;


    /** Receives the journal's changes in order on load. */
    @FunctionalInterface
    interface Replay {
        void apply(String key, JsonNode valueOrNull, DataVersion dataVersion) throws IOException;
    }

    private final Path file;
    private final Path journal;
    private final Supplier<Object> snapshot;
    private volatile Executor writer = Runnable::run;

    // Guarded by this monitor.
    private List<byte[]> pending = new ArrayList<>();
    private boolean snapshotDue;
    private boolean writeQueued;
    private CompletableFuture<Void> nextWrite = new CompletableFuture<>();
    /**
     * Held for a whole {@link #flush()}. Without it two flushes (the writer's and the periodic one) could write
     * the same temp file at once, or append two batches in the wrong order, so a replay would end on an older
     * value.
     */
    private final Object writing = new Object();
    // Guarded by writing.
    private int journalLines;

    Persister(Path file, Supplier<Object> snapshot) {
        this.file = file;
        this.journal = file.resolveSibling(file.getFileName() + ".journal");
        this.snapshot = snapshot;
    }

    /** Where writes run soon after a change (the broker's scheduler); until set, they run at once. */
    void writeOn(Executor executor) {
        this.writer = executor;
    }

    /**
     * Replays the journal written since the last snapshot, in order, and counts its lines so the next
     * snapshot comes on time. Call once, after reading the snapshot and before any change.
     */
    void replay(Replay visitor) throws IOException {
        synchronized (writing) {
            replayWhileWriting(visitor);
        }
    }

    private void replayWhileWriting(Replay visitor) throws IOException {
        if (!Files.exists(journal)) {
            return;
        }
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        List<String> good = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.mapper().readTree(line);
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    log.warn("{}: dropping a torn last line (a crash during the write)", journal);
                    Files.write(journal, good, StandardCharsets.UTF_8); // later appends start on a clean line
                    break;
                }
                throw new IOException(journal + " line " + (i + 1) + " is damaged: " + e.getMessage(), e);
            }
            JsonNode v = n.get("v");
            visitor.apply(n.get("k").asText(), v == null || v.isNull() ? null : v,
                Json.mapper().treeToValue(n.get("dv"), DataVersion.class));
            journalLines++;
            good.add(line);
        }
    }

    /** Completes once every change made so far is on disk. */
    synchronized CompletableFuture<Void> nextWrite() {
        return pending.isEmpty() && !snapshotDue ? CompletableFuture.completedFuture(null) : nextWrite;
    }

    /**
     * Records that {@code key} now holds {@code value} (null: removed); the future completes once the change
     * is on disk. Call under the table's monitor, so changes are journalled in the order they happened.
     */
    CompletableFuture<Void> changed(String key, Object value, DataVersion dataVersion) {
        // One journal line: the key, its new value (absent when removed) and the table's data version.
        java.util.Map<String, Object> change = new java.util.LinkedHashMap<>();
        change.put("k", key);
        change.put("v", value);
        change.put("dv", dataVersion);
        byte[] line = Json.encode(change);
        CompletableFuture<Void> f;
        boolean queue;
        synchronized (this) {
            if (pending.size() < MAX_PENDING_LINES) {
                pending.add(line);
            } else {
                snapshotDue = true; // the journal would lag too far: the next write takes a whole snapshot
            }
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

    /** Writes what changed since the last write: journal lines, or a whole snapshot when due. */
    void flush() {
        synchronized (writing) {
            flushWhileWriting();
        }
    }

    private void flushWhileWriting() {
        List<byte[]> lines;
        boolean wholeSnapshot;
        CompletableFuture<Void> done;
        synchronized (this) {
            if (pending.isEmpty() && !snapshotDue) {
                writeQueued = false;
                return;
            }
            lines = pending;
            pending = new ArrayList<>();
            wholeSnapshot = snapshotDue || journalLines + lines.size() > MAX_JOURNAL_LINES;
            snapshotDue = false;
            writeQueued = false;
            done = nextWrite;
            nextWrite = new CompletableFuture<>();
        }
        try {
            if (wholeSnapshot) {
                // Taken outside this monitor: tables call changed() while holding their own monitor, which the
                // snapshot may take too. It holds every change so far, so the journal can be emptied after it.
                JsonFile.write(file, snapshot.get());
                Files.deleteIfExists(journal);
                journalLines = 0;
            } else {
                append(lines);
                journalLines += lines.size();
            }
            done.complete(null);
        } catch (IOException | RuntimeException e) {
            log.error("cannot write {}; the change is kept in memory and written with the next snapshot", file, e);
            synchronized (this) {
                snapshotDue = true; // whoever waited for this write waits for the next one that succeeds
                nextWrite.whenComplete((v, x) -> done.complete(null));
            }
        }
    }

    private void append(List<byte[]> lines) throws IOException {
        Files.createDirectories(journal.getParent());
        int size = 0;
        for (byte[] l : lines) {
            size += l.length + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (byte[] l : lines) {
            b.put(l).put((byte) '\n');
        }
        b.flip();
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        }
    }

    /** For tests: the journal's current lines. */
    int journalLines() {
        synchronized (writing) {
            return journalLines;
        }
    }
}
