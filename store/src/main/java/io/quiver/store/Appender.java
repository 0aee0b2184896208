package io.quiver.store;

import io.quiver.protocol.message.MessageDraft;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer ({@code quiver-append}): the only thread that appends to the commit log and
 * the consume queues, changes their segment lists, and tells the {@link ArrivalListener}. Sends reach it
 * through a bounded queue; each cycle takes up to {@link #MAX_GROUP_PUTS} of them, lays their records out
 * one after another and writes them with one {@code pwrite} (group append), publishes them, adds their
 * queue entries, and hands the group's end offset to the flush owner when a send waits for the disk.
 * Results are completed on the executor each send names, never on this thread or the flush thread.
 */
final class Appender extends DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(Appender.class);

    /** Most sends and tasks waiting for the writer; beyond it a put is answered busy. */
    static final int MAX_PENDING = 16_384;
    /** Most sends laid out before one write to the file. */
    static final int MAX_GROUP_PUTS = 256;
    /** Most bytes laid out before one write to the file. */
    static final long MAX_GROUP_BYTES = 1 << 20;

    /** One send: its records, their sizes and body CRCs, and where its result goes. */
    record Put(List<MessageDraft> drafts, int[] sizes, int[] crcs, long totalBytes, boolean waitDurable,
               Executor completeOn, CompletableFuture<PutResult> result) {}

    /** Entries a master shipped to this replica, to store at {@code chunk.from()}; the new end goes to {@code done}. */
    record Replicated(LogChunk chunk, Executor completeOn, CompletableFuture<Long> done) {}

    private final MessageStore store;
    private final QueueIndexer indexer;
    private final CommitLog commitLog;
    private final Clock clock;
    private final FlushService flush;
    private final boolean syncFlush;
    private final ArrayBlockingQueue<Object> pending = new ArrayBlockingQueue<>(MAX_PENDING);
    private volatile ArrivalListener arrivals = ArrivalListener.NONE;
    /** Set on a SYNC_MASTER: sends that wait also wait for a replica. */
    private volatile ReplicaGate replicas;

    // Owned by the writer thread, reused every cycle.
    private final List<Object> drained = new ArrayList<>(MAX_GROUP_PUTS);
    private final List<Put> group = new ArrayList<>(MAX_GROUP_PUTS);
    private final List<PutResult> results = new ArrayList<>(MAX_GROUP_PUTS);
    private final Map<ConsumeQueue, Long> nextQueueOffset = new IdentityHashMap<>();

    Appender(MessageStore store, CommitLog commitLog, Clock clock, FlushService flush, boolean syncFlush) {
        super("quiver-append", 1_000);
        this.store = store;
        this.commitLog = commitLog;
        this.clock = clock;
        this.flush = flush;
        this.syncFlush = syncFlush;
        this.indexer = new QueueIndexer(store, store.tagsCodeRule());
    }

    void onArrival(ArrivalListener listener) {
        this.arrivals = listener;
    }

    void replicateWith(ReplicaGate gate) {
        this.replicas = gate;
    }

    /** Queues a send; false when {@link #MAX_PENDING} are already waiting. Any thread. */
    boolean offer(Put put) {
        if (!pending.offer(put)) {
            return false;
        }
        wake();
        if (!isRunning() && pending.remove(put)) { // the writer stopped after the store's writable check
            complete(put, PutResult.failure(PutResult.Status.SERVICE_NOT_AVAILABLE, "the store is shutting down"));
        }
        return true;
    }

    /** Queues shipped entries (replica); false when {@link #MAX_PENDING} items already wait. Any thread. */
    boolean offer(Replicated r) {
        if (!pending.offer(r)) {
            return false;
        }
        wake();
        if (!isRunning() && pending.remove(r)) {
            r.done().completeExceptionally(new StoreException("the store is shutting down"));
        }
        return true;
    }

    /** Runs {@code task} on the writer thread between groups (segment-list changes); any thread. */
    CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable wrapped = () -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        try {
            pending.put(wrapped); // tasks are rare and must not be refused; waits for room
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
            return done;
        }
        wake();
        if (!isRunning() && pending.remove(wrapped)) {
            wrapped.run(); // the writer has stopped: nobody else touches the lists now
        }
        return done;
    }

    int pendingCount() {
        return pending.size();
    }

    @Override
    protected int doWork() {
        pending.drainTo(drained, MAX_GROUP_PUTS);
        if (drained.isEmpty()) {
            return 0;
        }
        int n = drained.size();
        int next = 0;
        try {
            long groupBytes = 0;
            for (; next < n; next++) {
                Object w = drained.get(next);
                if (w instanceof Runnable task) {
                    appendGroup(); // what came before the task is written before it runs
                    groupBytes = 0;
                    task.run();
                    continue;
                }
                if (w instanceof Replicated r) {
                    appendGroup();
                    groupBytes = 0;
                    storeShipped(r);
                    continue;
                }
                Put p = (Put) w;
                boolean reserved = groupBytes + p.totalBytes() <= MAX_GROUP_BYTES && fits(p);
                if (!reserved) {
                    appendGroup();
                    groupBytes = 0;
                }
                group.add(p);
                groupBytes += p.totalBytes();
                if (!layOut(p, reserved)) {
                    groupBytes = 0; // layOut answered the whole unpublished group
                }
            }
            appendGroup();
        } catch (RuntimeException | Error e) {
            // Nothing may be left unanswered: fail the unpublished group and every send not reached yet.
            failGroup(e instanceof RuntimeException re ? re : new StoreException("writer failed: " + e, e));
            PutResult failure = PutResult.failure(PutResult.Status.SERVICE_NOT_AVAILABLE, "the store cannot write: " + e);
            for (int i = next + 1; i < n; i++) {
                if (drained.get(i) instanceof Put p) {
                    complete(p, failure);
                } else if (drained.get(i) instanceof Replicated r) {
                    completeShipped(r, null, new StoreException("the store cannot write: " + e));
                }
            }
        } finally {
            drained.clear();
        }
        return n;
    }

    /** Whether the send fits behind the staged records; a failure here is reported by {@link #layOut}. */
    private boolean fits(Put p) {
        try {
            return commitLog.reserve(p.totalBytes());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Lays out one send's records after the group's earlier ones, assigning queue offsets; reserves room
     * first unless {@code reserved}. On a store failure every send of the unpublished group is answered with
     * the failure and false is returned.
     */
    private boolean layOut(Put p, boolean reserved) {
        long now = clock.millis();
        List<MessageDraft> drafts = p.drafts();
        long[] offsets = new long[drafts.size()];
        long[] queueOffsets = new long[drafts.size()];
        try {
            if (!reserved && !commitLog.reserve(p.totalBytes())) {
                throw new StoreException("the send does not fit in a new segment");
            }
            for (int i = 0; i < drafts.size(); i++) {
                MessageDraft d = drafts.get(i);
                ConsumeQueue cq = store.queueForWrite(d.topic(), d.queueId());
                Long next = nextQueueOffset.get(cq);
                queueOffsets[i] = next == null ? cq.maxOffset() : next;
                nextQueueOffset.put(cq, queueOffsets[i] + 1);
                cq.prepare(queueOffsets[i]); // a full disk fails here, before the group is published
                offsets[i] = commitLog.append(d, p.sizes()[i], p.crcs()[i], queueOffsets[i], now);
            }
        } catch (RuntimeException e) {
            failGroup(e);
            return false;
        }
        results.add(new PutResult(PutResult.Status.PUT_OK, null, offsets, queueOffsets, now));
        return true;
    }

    /** Writes and publishes the group, adds its queue entries, and completes (or hands to the flush) its sends. */
    private void appendGroup() {
        if (group.isEmpty()) {
            return;
        }
        try {
            commitLog.publish();
        } catch (RuntimeException e) {
            failGroup(e);
            return;
        }
        ArrivalListener listener = arrivals;
        for (int g = 0; g < group.size(); g++) {
            Put p = group.get(g);
            PutResult r = results.get(g);
            List<MessageDraft> drafts = p.drafts();
            for (int i = 0; i < drafts.size(); i++) {
                MessageDraft d = drafts.get(i);
                long tagsCode = d.deliverDelayMillis() > 0 ? r.storeTimestamp() + d.deliverDelayMillis() : d.tagsCode();
                store.queueForWrite(d.topic(), d.queueId()).append(r.commitLogOffsets()[i], p.sizes()[i], tagsCode);
                try {
                    listener.arrived(d.topic(), d.queueId(), r.queueOffsets()[i], tagsCode);
                } catch (RuntimeException e) {
                    log.error("an arrival listener failed for {}-{}", d.topic(), d.queueId(), e);
                }
            }
        }
        store.dispatched(commitLog.writePosition());
        store.appended();
        completeGroup(commitLog.writePosition());
        group.clear();
        results.clear();
        nextQueueOffset.clear();
    }

    private void completeGroup(long end) {
        ReplicaGate gate = replicas;
        List<Put> waiting = null;
        List<PutResult> waitingResults = null;
        for (int g = 0; g < group.size(); g++) {
            Put p = group.get(g);
            if ((syncFlush || gate != null) && p.waitDurable()) {
                if (waiting == null) {
                    waiting = new ArrayList<>(group.size() - g);
                    waitingResults = new ArrayList<>(group.size() - g);
                }
                waiting.add(p);
                waitingResults.add(results.get(g));
            } else {
                complete(p, results.get(g));
            }
        }
        if (waiting == null) {
            return;
        }
        // One wait per group for the disk and one for a replica (group commit covers replication too).
        CompletableFuture<PutResult.Status> disk = syncFlush ? flush.awaitDurable(end)
            : CompletableFuture.completedFuture(PutResult.Status.PUT_OK);
        CompletableFuture<PutResult.Status> replica = gate == null ? CompletableFuture.completedFuture(PutResult.Status.PUT_OK)
            : gate.awaitReplicated(end);
        List<Put> w = waiting;
        List<PutResult> wr = waitingResults;
        disk.thenCombine(replica, Appender::worse).thenAccept(status -> {
            for (int i = 0; i < w.size(); i++) {
                complete(w.get(i), durable(wr.get(i), status));
            }
        });
    }

    /**
     * Stores entries shipped by the master at their own offsets, gives each record its consume-queue entry
     * and tells the arrival listener, then completes with the new end: once written (the flush thread forces it
     * within a second), or once forced in SYNC_FLUSH when the store acknowledges shipped entries after the force. A refused chunk (wrong offset, a record failing its checks) completes exceptionally having
     * written nothing; so does a failed write or indexing, after which the link reconnects and resumes.
     */
    private void storeShipped(Replicated r) {
        long end;
        try {
            LogChunk c = r.chunk();
            ArrivalListener listener = arrivals;
            int maxRecord = store.config().maxMessageBytes() + 64 * 1024;
            end = c.kind() == LogChunk.Kind.GAP ? commitLog.skipReplicated(c.from(), c.next())
                : commitLog.writeReplicated(c.from(), c.bytes(), maxRecord, (pos, record) -> {
                    if (indexer.index(record, pos, record.remaining(), true) == QueueIndexer.Outcome.INDEXED
                        && listener != ArrivalListener.NONE) {
                        String topic = indexer.lastTopic(); // the record's, parsed once by index()
                        try {
                            listener.arrived(topic, QueueIndexer.queueIdOf(record), QueueIndexer.queueOffsetOf(record),
                                indexer.lastTagsCode());
                        } catch (RuntimeException e) {
                            log.error("an arrival listener failed for {}", topic, e);
                        }
                    }
                });
            store.dispatched(end);
            store.appended();
        } catch (RuntimeException | Error e) {
            completeShipped(r, null, e);
            return;
        }
        if (!syncFlush || !store.ackShippedAfterForce()) {
            completeShipped(r, end, null); // the flush thread forces it within its idle wait (a second)
            return;
        }
        long written = end;
        flush.awaitDurable(end).thenAccept(status -> completeShipped(r, status == PutResult.Status.PUT_OK ? written : null,
            status == PutResult.Status.PUT_OK ? null : new StoreException("forcing shipped entries failed: " + status)));
    }

    private static void completeShipped(Replicated r, Long end, Throwable failure) {
        Runnable finish = () -> {
            if (failure == null) {
                r.done().complete(end);
            } else {
                r.done().completeExceptionally(failure);
            }
        };
        try {
            r.completeOn().execute(finish);
        } catch (RuntimeException e) {
            finish.run(); // the link's thread is gone: complete here
        }
    }

    /** The outcome reported when both the disk and a replica were waited for: a disk failure first, as RocketMQ. */
    private static PutResult.Status worse(PutResult.Status disk, PutResult.Status replica) {
        if (disk == PutResult.Status.FLUSH_FAILED || disk == PutResult.Status.SERVICE_NOT_AVAILABLE) {
            return disk;
        }
        return replica != PutResult.Status.PUT_OK ? replica : disk;
    }

    private PutResult durable(PutResult stored, PutResult.Status status) {
        return switch (status) {
            case PUT_OK -> stored;
            case FLUSH_DISK_TIMEOUT -> stored.withStatus(status, "stored, but not forced to disk within "
                + store.config().syncFlushTimeoutMillis() + " ms (syncFlushTimeout)");
            case SERVICE_NOT_AVAILABLE -> stored.withStatus(PutResult.Status.FLUSH_DISK_TIMEOUT,
                "stored, but too many sends are waiting for the disk");
            case FLUSH_SLAVE_TIMEOUT -> stored.withStatus(status, "stored on the master, but no replica confirmed it within "
                + store.config().syncFlushTimeoutMillis() + " ms (syncFlushTimeout)");
            case SLAVE_NOT_AVAILABLE -> stored.withStatus(status, "stored on the master, but it cannot be confirmed: no "
                + "replica is connected and in sync (brokerRole=SYNC_MASTER), or this master's lease from the controllers "
                + "ran out (controller mode)");
            case IN_SYNC_REPLICAS_NOT_ENOUGH -> stored.withStatus(status, "stored on the master, but not acknowledged: "
                + "in-sync replicas not enough (fewer than minInSyncReplicas)");
            default -> stored.withStatus(status, "stored, but forcing it to disk failed; see the broker log");
        };
    }

    private void failGroup(RuntimeException e) {
        commitLog.discardStaged();
        log.error("append failed: {}", e.getMessage());
        boolean full = String.valueOf(e.getMessage()).startsWith("disk full");
        PutResult failure = PutResult.failure(full ? PutResult.Status.DISK_FULL : PutResult.Status.SERVICE_NOT_AVAILABLE,
            full ? "the broker's disk is full (" + e.getMessage() + "); free space on it or add brokers"
                : "the store cannot write: " + e.getMessage());
        for (Put p : group) {
            complete(p, failure);
        }
        group.clear();
        results.clear();
        nextQueueOffset.clear();
    }

    static void complete(Put p, PutResult r) {
        try {
            p.completeOn().execute(() -> p.result().complete(r));
        } catch (RuntimeException e) {
            p.result().complete(r); // the executor is gone (connection closed): complete here
        }
    }

    /** Answers every send still queued once the loop has stopped; runs tasks so nothing waits forever. */
    @Override
    protected void onStop() {
        List<Object> rest = new ArrayList<>();
        pending.drainTo(rest);
        PutResult closed = PutResult.failure(PutResult.Status.SERVICE_NOT_AVAILABLE, "the store is shutting down");
        for (Object w : rest) {
            if (w instanceof Runnable task) {
                task.run();
            } else if (w instanceof Replicated r) {
                r.done().completeExceptionally(new StoreException("the store is shutting down"));
            } else {
                complete((Put) w, closed);
            }
        }
    }
}
