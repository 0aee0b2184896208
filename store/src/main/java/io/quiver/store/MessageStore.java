package io.quiver.store;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quiver's message store: one commit log holding every record, a consume queue per topic queue indexing
 * it, a flush owner and crash recovery. Knows nothing of networking or brokers.
 *
 * <p>Threads: {@link #put} may be called from any thread; the records are appended by the single writer
 * thread ({@link Appender}, {@code quiver-append}), which alone changes the commit log, the consume queues
 * and their segment lists. Reads run on any thread without locks, below the published write positions.
 * The flush thread forces the log; the maintenance thread writes checkpoints and runs retention.
 */
public final class MessageStore implements MessageReader, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MessageStore.class);

    /** Most queue entries one read examines, so a filtered read of a huge backlog stays bounded. */
    public static final int MAX_ENTRIES_SCANNED_PER_READ = 2_000;
    /** Most bytes one read returns. */
    public static final int MAX_BYTES_PER_READ = 4 * 1024 * 1024;

    private final StoreConfig config;
    private final Clock clock;
    private final Disk disk;
    private final CommitLog commitLog;
    private final Map<String, Map<Integer, ConsumeQueue>> queues = new ConcurrentHashMap<>();
    private final Path checkpointFile;
    private final Path epochFile;
    private volatile EpochHistory epochs;
    /** Controller mode: consumers read records ending at or below this commit-log position (MAX_VALUE: all). */
    private volatile long confirmedPosition = Long.MAX_VALUE;
    private volatile Runnable onConfirmed = () -> { };
    private final Path abortMarker;
    private FlushService flushService;
    /** The single writer; created at start. */
    private Appender appender;
    private volatile ArrivalListener arrivalListener = ArrivalListener.NONE;
    private volatile TagsCodeRule tagsCodes = TagsCodeRule.TAGS_HASH;
    private final RetentionService retention;
    private final IndexService index;
    private final java.util.concurrent.ScheduledExecutorService maintenance;
    /** Commit-log position up to which every record has its consume-queue entry. */
    private volatile long dispatchedPosition;
    private volatile boolean writable;
    private volatile List<DamagedRange> damagedAtRecovery = List.of();
    private volatile boolean closed;
    private volatile boolean replica;
    private volatile Runnable published = () -> { };
    private volatile ReplicaGate replicaGate;

    public MessageStore(StoreConfig config, Clock clock) {
        this(config, clock, DiskSpace.of(config.rootDir()));
    }

    public MessageStore(StoreConfig config, Clock clock, DiskSpace space) {
        this(config, clock, space, Disk.LOCAL);
    }

    /** A store on {@code disk} (the local file system, or a simulated disk in tests). */
    MessageStore(StoreConfig config, Clock clock, DiskSpace space, Disk disk) {
        this.config = config;
        this.clock = clock;
        this.disk = disk;
        this.retention = new RetentionService(this, config.retention(), space, java.time.ZoneId.systemDefault());
        this.index = new IndexService(this, disk, config.indexDir(), config.indexSlots(), config.indexEntries());
        this.maintenance = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quiver-store-maintenance");
            t.setDaemon(true);
            return t;
        });
        this.commitLog = new CommitLog(disk, config.commitLogDir(), config.commitLogSegmentBytes());
        this.checkpointFile = config.rootDir().resolve("checkpoint");
        this.epochFile = config.rootDir().resolve("epochs");
        this.abortMarker = config.rootDir().resolve("abort");
    }

    /** Loads existing data, recovers after a crash if needed, and starts the writer, flush and index threads. */
    public void start() {
        open();
        flushService.start();
        appender.start();
        index.start();
        maintenance.scheduleWithFixedDelay(this::maintain, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * As {@link #start()}, but no thread is started: the caller runs every cycle itself through
     * {@link Steps}. For deterministic simulations of the store (one thread, a seed decides everything).
     */
    Steps startStepped() {
        open();
        flushService.startStepped();
        appender.startStepped();
        index.startStepped();
        return new Steps();
    }

    /**
     * For simulations, after the simulated machine crashed under a stepped store: ends its loops so that
     * whatever still waits on them is answered (as failed: the disk they would use is gone) and nothing keeps
     * the abandoned store reachable. Writes no checkpoint and removes no marker, as a crash would not.
     */
    void abandon() {
        closed = true;
        writable = false;
        maintenance.shutdownNow();
        appender.close();
        flushService.close();
        index.close();
    }

    /** One cycle of each of the store's loops, run on the caller's thread (see {@link #startStepped()}). */
    final class Steps {
        int append() {
            return appender.doWork();
        }

        int flush() {
            return flushService.doWork();
        }

        int index() {
            return index.doWork();
        }

        void checkpoint() {
            checkpointIfAdvanced();
        }
    }

    private void open() {
        disk.createDirectories(config.rootDir());
        commitLog.load();
        epochs = EpochHistory.load(disk, epochFile);
        loadConsumeQueues();
        long rescanFrom = Long.MAX_VALUE;
        MappedSegment lastSegment = commitLog.file().last();
        long logLimit = lastSegment == null ? 0 : lastSegment.endOffset();
        for (ConsumeQueue cq : allQueues()) {
            long from = cq.checkNewestFile(config.maxMessageBytes() + 64 * 1024, logLimit);
            if (from != Long.MAX_VALUE) {
                log.error("consume queue {}-{} has a damaged entry at offset {}; its entries from there are rebuilt "
                    + "from the commit log (from offset {})", cq.topic(), cq.queueId(), cq.maxOffset(), from);
                rescanFrom = Math.min(rescanFrom, from);
            }
        }
        Recovery recovery = new Recovery(this, tagsCodes);
        recovery.run(Checkpoint.read(disk, checkpointFile), disk.exists(abortMarker), rescanFrom);
        damagedAtRecovery = recovery.damaged();
        for (ConsumeQueue cq : allQueues()) {
            for (MappedSegment gone : cq.dropBefore(commitLog.minOffset())) {
                gone.delete(); // index files left behind by a retention run interrupted by a crash
            }
        }
        dispatchedPosition = commitLog.writePosition();
        index.load(commitLog.minOffset(), commitLog.writePosition());
        disk.replace(abortMarker, new byte[0]);
        new Checkpoint(commitLog.writePosition(), commitLog.writePosition(), false).write(disk, checkpointFile);
        flushService = new FlushService(commitLog, config);
        appender = new Appender(this, commitLog, clock, flushService, config.flushMode() == FlushMode.SYNC_FLUSH);
        appender.onArrival(arrivalListener);
        appender.replicateWith(replicaGate);
        retention.refreshDisk();
        writable = true;
    }

    private long lastRetentionMillis;

    /** Maintenance thread: checkpoint and disk check every second, retention every ten. */
    private void maintain() {
        try {
            checkpointIfAdvanced();
        } catch (RuntimeException e) {
            log.error("writing the store checkpoint failed; recovery after a crash will scan further back", e);
        }
        try {
            long now = clock.millis();
            if (now - lastRetentionMillis >= 10_000) {
                lastRetentionMillis = now;
                retention.runOnce(now);
            } else {
                retention.refreshDisk();
            }
        } catch (RuntimeException e) {
            log.error("store maintenance failed", e);
        }
    }

    /** Runs one retention pass now (tests and operators); returns the number of segments deleted. */
    public int runRetention() {
        return retention.runOnce(clock.millis());
    }

    /** Re-reads disk use now (tests); normally done every second. */
    public void refreshDiskUsage() {
        retention.refreshDisk();
    }

    /** Used fraction of the store's disk at the last check. */
    public double diskUsedRatio() {
        return retention.lastRatio();
    }

    /**
     * Deletes commit-log segments that end at or before {@code offset} and the consume-queue files that
     * index only them. The segment lists change on the writer thread; files are removed afterwards and each
     * mapping is released once the last reader holding it lets go ({@link MappedSegment#release}).
     */
    List<MappedSegment> deleteBefore(long offset) {
        List<MappedSegment> gone = new ArrayList<>();
        Runnable detach = () -> {
            gone.addAll(List.of(commitLog.file().detachBefore(offset)));
            long newMin = commitLog.minOffset();
            for (ConsumeQueue cq : allQueues()) {
                gone.addAll(List.of(cq.dropBefore(newMin)));
            }
        };
        if (appender == null) {
            detach.run();
        } else {
            appender.submit(detach).join();
        }
        gone.addAll(index.dropBefore(commitLog.minOffset()));
        for (MappedSegment s : gone) {
            s.delete();
            s.release();
        }
        return gone;
    }

    private void loadConsumeQueues() {
        Path root = config.consumeQueueDir();
        for (String topic : disk.list(root)) {
            Path topicDir = root.resolve(topic);
            if (!disk.isDirectory(topicDir)) {
                continue;
            }
            for (String id : disk.list(topicDir)) {
                int queueId;
                try {
                    queueId = Integer.parseInt(id);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!disk.isDirectory(topicDir.resolve(id))) {
                    continue;
                }
                ConsumeQueue cq = newQueue(topic, queueId);
                cq.load();
                queues.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()).put(queueId, cq);
            }
        }
    }

    private ConsumeQueue newQueue(String topic, int queueId) {
        return new ConsumeQueue(disk, topic, queueId, config.consumeQueueDir().resolve(topic).resolve(Integer.toString(queueId)),
            config.consumeQueueEntriesPerFile());
    }

    StoreConfig config() {
        return config;
    }

    CommitLog commitLog() {
        return commitLog;
    }

    /** Writer thread (or recovery, before it starts) only. */
    ConsumeQueue queueForWrite(String topic, int queueId) {
        return queues.computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
            .computeIfAbsent(queueId, id -> newQueue(topic, id));
    }

    Iterable<ConsumeQueue> allQueues() {
        List<ConsumeQueue> all = new ArrayList<>();
        queues.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    private ConsumeQueue queue(String topic, int queueId) {
        Map<Integer, ConsumeQueue> m = queues.get(topic);
        return m == null ? null : m.get(queueId);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Stores {@code drafts} as consecutive records in one atomic append: one message, the members of a
     * batch, or records of different topics that must appear together (a transaction's commit and its
     * decision). With {@code waitDurable} in SYNC_FLUSH mode the future completes only after
     * the records are forced to disk. The future is completed by running a task on {@code completeOn}
     * (the caller's own thread or pool: never the store's writer or flush thread). Never throws for
     * operating errors: they are result statuses.
     */
    public CompletableFuture<PutResult> put(List<MessageDraft> drafts, boolean waitDurable, Executor completeOn) {
        PutResult refused = check(drafts);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        int n = drafts.size();
        int[] sizes = new int[n];
        int[] crcs = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            MessageDraft d = drafts.get(i);
            sizes[i] = d.encodedSize();
            if (sizes[i] < 0) {
                return CompletableFuture.completedFuture(PutResult.failure(PutResult.Status.MESSAGE_ILLEGAL,
                    "the topic name is longer than 127 bytes or the properties exceed 32767 bytes"));
            }
            crcs[i] = d.bodyCrc();
            total += sizes[i] + CommitLog.TRAILER_BYTES;
        }
        if (total + CommitLog.END_MARKER_BYTES > config.commitLogSegmentBytes()) {
            return CompletableFuture.completedFuture(PutResult.failure(PutResult.Status.MESSAGE_ILLEGAL,
                "the batch needs " + total + " bytes, more than one commit-log segment holds"));
        }
        CompletableFuture<PutResult> result = new CompletableFuture<>();
        if (!appender.offer(new Appender.Put(drafts, sizes, crcs, total, waitDurable, completeOn, result))) {
            return CompletableFuture.completedFuture(PutResult.failure(PutResult.Status.BUSY,
                "[OVERLOAD] " + Appender.MAX_PENDING + " sends are already waiting for the store's writer; "
                    + "try again shortly"));
        }
        return result;
    }

    /**
     * {@link #put(List, boolean, Executor)} completed on the store's own threads: for callers that only
     * wait for the result ({@code join()}), never for callers that attach work to it.
     */
    public CompletableFuture<PutResult> put(List<MessageDraft> drafts, boolean waitDurable) {
        return put(drafts, waitDurable, Runnable::run);
    }

    private PutResult check(List<MessageDraft> drafts) {
        if (replica) {
            return PutResult.failure(PutResult.Status.SERVICE_NOT_AVAILABLE,
                "this broker is a replica (brokerRole=SLAVE): it stores only what its master ships; send to the master");
        }
        if (!writable) {
            return PutResult.failure(PutResult.Status.SERVICE_NOT_AVAILABLE,
                closed ? "the store is shutting down" : "the store is not accepting writes");
        }
        if (retention.diskFull()) {
            return PutResult.failure(PutResult.Status.DISK_FULL,
                retention.describe() + "; they resume by themselves once space is freed");
        }
        if (drafts.isEmpty()) {
            return PutResult.failure(PutResult.Status.MESSAGE_ILLEGAL, "nothing to store");
        }
        for (MessageDraft d : drafts) {
            if (d.bodyLength() > config.maxMessageBytes()) {
                return PutResult.failure(PutResult.Status.MESSAGE_ILLEGAL,
                    "the message body has " + d.bodyLength() + " bytes; the limit (maxMessageSize) is "
                        + config.maxMessageBytes());
            }
        }
        return null;
    }

    /**
     * Registers the one listener told of every record as it becomes readable (long polling, delay levels,
     * timers); it runs on the store's writer thread and must be cheap. Call before {@link #start()}.
     */
    /** Tells {@code l} of every record as the index thread reads it (see {@link IndexedRecordListener}). */
    public void onIndexed(IndexedRecordListener l) {
        index.listener(l);
    }

    public void onArrival(ArrivalListener listener) {
        this.arrivalListener = listener;
        if (appender != null) {
            appender.onArrival(listener);
        }
    }

    /**
     * The rule crash recovery uses for the consume-queue tag code of re-indexed records (delayed and timer
     * records are due at a time only the broker can compute). Call before {@link #start()}.
     */
    public void recoverTagsCodesWith(TagsCodeRule rule) {
        this.tagsCodes = rule;
    }

    /**
     * Commit-log ranges the last start found damaged with valid records after them and stepped over (each
     * cost the message stored there, nothing else); empty after a clean start.
     */
    public List<DamagedRange> damagedAtRecovery() {
        return damagedAtRecovery;
    }

    TagsCodeRule tagsCodeRule() {
        return tagsCodes;
    }

    // ------------------------------------------------------------------ replication

    /**
     * Makes this store a replica's (call before {@link #start()}, or at run time when a broker changes role):
     * sends are refused and entries come only from {@link #appendReplicated}.
     */
    public void replicaMode(boolean replica) {
        this.replica = replica;
    }

    /**
     * Makes sends that wait (SYNC_MASTER) also wait for a replica through {@code gate}; null stops it. Any
     * time: it applies to the next group.
     */
    public void replicateWith(ReplicaGate gate) {
        this.replicaGate = gate;
        if (appender != null) {
            appender.replicateWith(gate);
        }
    }

    /**
     * Replica with SYNC_FLUSH: acknowledge shipped entries only once forced ({@code true}), or once written with
     * the force started at once and not waited for ({@code false}, the default, RocketMQ's rule).
     */
    public void ackShippedAfterForce(boolean afterForce) {
        this.ackShippedAfterForce = afterForce;
    }

    boolean ackShippedAfterForce() {
        return ackShippedAfterForce;
    }

    private volatile boolean ackShippedAfterForce;

    public boolean isReplica() {
        return replica;
    }

    public int commitLogSegmentBytes() {
        return config.commitLogSegmentBytes();
    }

    /** The largest message body this store accepts (maxMessageSize). */
    public int maxMessageBytes() {
        return config.maxMessageBytes();
    }

    /**
     * Master: whole entries from commit-log offset {@code from} (where an entry starts), at most
     * {@code maxBytes} of them but at least one, for shipping to a replica (see {@link LogChunk}). Any thread.
     * Throws {@link StoreException} if {@code from} is below the log's start or not an entry's start.
     */
    public LogChunk readEntries(long from, int maxBytes) {
        return commitLog.readEntries(from, maxBytes, config.maxMessageBytes() + 64 * 1024);
    }

    /**
     * Replica: stores what {@link #readEntries} returned on the master, at the same offsets, and completes on
     * {@code completeOn} with the log's new end once written (ASYNC_FLUSH) or forced (SYNC_FLUSH); exceptionally
     * when the chunk does not start at this log's end, a record fails its checks (nothing is written then), the
     * write fails, or too many items wait for the writer.
     */
    public CompletableFuture<Long> appendReplicated(LogChunk chunk, Executor completeOn) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (!replica) {
            done.completeExceptionally(new StoreException("this store is not a replica's"));
        } else if (!writable) {
            done.completeExceptionally(new StoreException(closed ? "the store is shutting down" : "the store is not writable"));
        } else if (chunk.kind() == LogChunk.Kind.NOTHING_NEW) {
            done.complete(chunk.from());
        } else if (!appender.offer(new Appender.Replicated(chunk, completeOn, done))) {
            done.completeExceptionally(new StoreException("[OVERLOAD] the store's writer has " + Appender.MAX_PENDING
                + " items waiting"));
        }
        return done;
    }

    /**
     * Replica with an empty log: makes it start at {@code base}, a segment boundary (its master's oldest
     * segment), so the master's retained history is copied from there.
     */
    public CompletableFuture<Void> startEmptyLogAt(long base) {
        return appender.submit(() -> {
            commitLog.startAt(base);
            dispatchedPosition = base;
        });
    }

    /** The terms of the masters that wrote this log (see {@link EpochHistory}). */
    public List<EpochHistory.Entry> epochs() {
        return epochs.entries();
    }

    /**
     * Master, once at start before any send: opens a new term whose records start at the log's end, so a replica
     * that holds records this log lost (a tail the disk never had) can tell and cut them. Durable on return.
     */
    public EpochHistory.Entry beginEpoch() {
        return beginEpoch(0);
    }

    /**
     * As {@link #beginEpoch()}, numbering the term at least {@code atLeast}: in controller mode the controllers'
     * master epoch, so every replica can compare a master's terms with the epoch the controllers elected it in.
     */
    public EpochHistory.Entry beginEpoch(long atLeast) {
        if (replica) {
            throw new StoreException("a replica's store does not open master terms");
        }
        EpochHistory.Entry[] opened = new EpochHistory.Entry[1];
        appender.submit(() -> opened[0] = epochs.begin(commitLog.writePosition(),
            java.util.concurrent.ThreadLocalRandom.current().nextLong(), atLeast)).join();
        log.info("master term {} starts at commit-log offset {}", opened[0].epoch(), opened[0].startOffset());
        return opened[0];
    }

    /** Replica: keeps its master's terms (after its log was cut back to their common prefix). Durable on return. */
    public void adoptEpochs(List<EpochHistory.Entry> masterTerms) {
        if (!replica) {
            throw new StoreException("only a replica adopts its master's terms");
        }
        epochs.replace(masterTerms);
    }

    /**
     * Replica: cuts its log back to {@code end}, an entry's start below its write position, because the records from
     * there on are not its master's (they were written in a term the master lost). Queue entries pointing at them
     * are dropped, the index and flush positions move back with the log, and the checkpoint moves below the cut
     * before any byte is erased, so a crash half-way recovers either the old log (and the cut is made again) or
     * the cut one. Runs on the writer thread, ahead of whatever is queued after it; completes when durable.
     */
    public CompletableFuture<Void> truncateReplicaLog(long end) {
        if (!replica) {
            return CompletableFuture.failedFuture(new StoreException("only a replica's log is cut back"));
        }
        return appender.submit(() -> {
            long from = commitLog.writePosition();
            if (end >= from) {
                return;
            }
            if (end < commitLog.minOffset()) {
                throw new StoreException("cannot cut the log back to " + end + ", below its oldest segment ("
                    + commitLog.minOffset() + ")");
            }
            synchronized (checkpointLock) {
                long safe = Math.min(lastCheckpointed < 0 ? end : lastCheckpointed, end);
                dispatchedPosition = end;
                writeCheckpoint(safe);
                lastCheckpointed = safe;
                flushService.whilePaused(() -> index.whilePaused(() -> {
                    index.rewindTo(end);
                    for (ConsumeQueue cq : allQueues()) {
                        cq.truncateTo(end);
                        cq.flush();
                    }
                    commitLog.cutBack(end, from);
                    flushService.rewindTo(end);
                }));
            }
            log.warn("replica: cut the commit log back from {} to {}, the end of the master term it shares with its "
                + "master; the {} bytes after it were never its master's and are erased", from, end, from - end);
        });
    }

    /** Sends waiting for the store's writer (a gauge for metrics). */
    public int pendingAppends() {
        return appender == null ? 0 : appender.pendingCount();
    }

    /** Writer thread: every record below {@code position} has its consume-queue entry. */
    void dispatched(long position) {
        dispatchedPosition = position;
    }

    /** Writer thread: a group was published (the index follows the log, so do replicas). */
    void appended() {
        index.wake();
        published.run();
    }

    /**
     * Registers the one callback run after each group of records becomes readable (a master wakes the
     * connections that ship to its replicas). It runs on the store's writer thread and must be cheap.
     */
    public void onPublished(Runnable callback) {
        this.published = callback;
    }

    // ------------------------------------------------------------------ reading

    /** Reads up to {@code maxCount} matching records from a queue, starting at {@code offset}. */
    @Override
    public GetResult get(String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter) {
        return read(topic, queueId, offset, maxCount, maxBytes, filter, Long.MAX_VALUE);
    }

    /**
     * As {@link #get}, for consumers: only records that end at or below the confirmed position (controller mode:
     * every in-sync replica holds them, so no failover can take them back); the queue seems to end before the first
     * record that is not confirmed yet.
     */
    @Override
    public GetResult getConfirmed(String topic, int queueId, long offset, int maxCount, int maxBytes,
                                  MessageFilter filter) {
        return read(topic, queueId, offset, maxCount, maxBytes, filter, confirmedPosition);
    }

    /** The queue's end as consumers see it: before its first record beyond the confirmed position. */
    @Override
    public long confirmedMaxOffset(String topic, int queueId) {
        ConsumeQueue cq = queue(topic, queueId);
        return cq == null ? 0 : confirmedMax(cq, confirmedPosition);
    }

    /**
     * Controller mode, a master: records ending at or below {@code position} are held by every in-sync replica and
     * may be read by consumers ({@link Long#MAX_VALUE}: all, the default). Any thread; cheap.
     */
    public void confirmUpTo(long position) {
        if (position != confirmedPosition) {
            confirmedPosition = position;
            onConfirmed.run();
        }
    }

    public long confirmedPosition() {
        return confirmedPosition;
    }

    /** The one callback run whenever the confirmed position moves (on the caller's thread; must be cheap). */
    public void onConfirmed(Runnable callback) {
        this.onConfirmed = callback;
    }

    /** The queue offset of the first entry whose record ends beyond {@code limit} (the queue's max if none). */
    private static long confirmedMax(ConsumeQueue cq, long limit) {
        long min = cq.minOffset();
        long max = cq.maxOffset();
        if (limit == Long.MAX_VALUE || max <= min) {
            return max;
        }
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        if (cq.read(max - 1, e) && e.commitLogOffset + e.size <= limit) {
            return max; // the usual case: caught up
        }
        long lo = min;
        long hi = max - 1; // the entry at hi is beyond the limit (or unreadable, taken as beyond)
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (!cq.read(mid, e) || e.commitLogOffset + e.size > limit) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private GetResult read(String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter,
                           long limit) {
        ConsumeQueue cq = queue(topic, queueId);
        if (cq == null) {
            return GetResult.outOfRange(offset, 0, 0);
        }
        long min = cq.minOffset();
        long max = confirmedMax(cq, limit);
        if (offset > max && offset <= cq.maxOffset() && offset >= min) {
            // stored, not confirmed yet: nothing to read for now (never "moved", which would send the reader back)
            return new GetResult(GetResult.Status.OFFSET_OVERFLOW_ONE, List.of(), offset, min, max);
        }
        GetResult unreadable = GetResult.outOfRange(offset, min, max);
        if (unreadable != null) {
            return unreadable;
        }
        int byteLimit = Math.min(maxBytes <= 0 ? MAX_BYTES_PER_READ : maxBytes, MAX_BYTES_PER_READ);
        List<ByteBuffer> found = new ArrayList<>(Math.min(maxCount, 64));
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        ReadHold hold = new ReadHold();
        long next = offset;
        int bytes = 0;
        int scanned = 0;
        boolean damaged = false;
        while (next < max && found.size() < maxCount && scanned < MAX_ENTRIES_SCANNED_PER_READ && cq.read(next, e, hold)) {
            if (!found.isEmpty() && bytes + e.size > byteLimit) {
                break;
            }
            scanned++;
            next++;
            if (!filter.matchesTagsCode(e.tagsCode)) {
                continue;
            }
            ByteBuffer record = commitLog.read(e.commitLogOffset, e.size, hold);
            if (record == null || !commitLog.verify(e.commitLogOffset, e.size, hold)
                || record.getLong(MessageRecord.POS_QUEUE_OFFSET) != next - 1
                || record.getInt(MessageRecord.POS_QUEUE_ID) != queueId) {
                damaged = true;
                log.error("queue {}-{} offset {} points at missing or damaged data at commit-log offset {}; skipped",
                    topic, queueId, next - 1, e.commitLogOffset);
                continue;
            }
            if (!filter.matchesRecord(record.duplicate())) {
                continue;
            }
            found.add(record);
            bytes += e.size;
        }
        GetResult.Status status = !found.isEmpty() ? GetResult.Status.FOUND
            : damaged ? GetResult.Status.OFFSET_FOUND_NULL : GetResult.Status.NO_MATCHED_MESSAGE;
        if (found.isEmpty()) {
            hold.release();
            return new GetResult(status, List.of(), next, min, max);
        }
        return new GetResult(status, found, next, min, max, hold);
    }

    /**
     * As {@link #get}, with each record copied and nothing held: for readers that decode what they read
     * at once (delay levels, timers, transactions, redrive), so they never have to release anything.
     */
    @Override
    public GetResult getCopies(String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter) {
        GetResult r = get(topic, queueId, offset, maxCount, maxBytes, filter);
        if (r.records().isEmpty()) {
            return r;
        }
        try {
            List<ByteBuffer> copies = new ArrayList<>(r.records().size());
            for (ByteBuffer b : r.records()) {
                copies.add(copyOf(b));
            }
            return new GetResult(r.status(), copies, r.nextBeginOffset(), r.minOffset(), r.maxOffset());
        } finally {
            r.release();
        }
    }

    /**
     * A copy of the record stored at commit-log {@code offset} (CRC checked), or null if there is none. A
     * copy, so callers may keep it as long as they like.
     */
    @Override
    public ByteBuffer recordAt(long offset) {
        if (offset < commitLog.minOffset() || offset > commitLog.writePosition() - 8) {
            return null;
        }
        ReadHold hold = new ReadHold();
        try {
            ByteBuffer head = commitLog.read(offset, 8, hold);
            if (head == null || head.getInt(4) != MessageRecord.MAGIC_V1) {
                return null;
            }
            int size = head.getInt(0);
            if (!commitLog.verify(offset, size, hold)) {
                return null;
            }
            ByteBuffer view = commitLog.read(offset, size, hold);
            return view == null ? null : copyOf(view);
        } finally {
            hold.release();
        }
    }

    private static ByteBuffer copyOf(ByteBuffer view) {
        ByteBuffer copy = ByteBuffer.allocate(view.remaining());
        copy.put(view.duplicate()).flip();
        return copy;
    }

    @Override
    public long maxOffset(String topic, int queueId) {
        ConsumeQueue cq = queue(topic, queueId);
        return cq == null ? 0 : cq.maxOffset();
    }

    /** Smallest stored queue offset, or -1 if the queue does not exist. */
    @Override
    public long minOffset(String topic, int queueId) {
        ConsumeQueue cq = queue(topic, queueId);
        return cq == null ? -1 : cq.minOffset();
    }

    /** The consume-queue tag code at a queue offset (for schedule queues: the due time), or null. */
    @Override
    public Long tagsCodeAt(String topic, int queueId, long queueOffset) {
        ConsumeQueue cq = queue(topic, queueId);
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        return cq != null && cq.read(queueOffset, e) ? e.tagsCode : null;
    }

    /** Store timestamp of the message at a queue offset, or -1. */
    @Override
    public long storeTimestamp(String topic, int queueId, long queueOffset) {
        ConsumeQueue cq = queue(topic, queueId);
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        if (cq == null || !cq.read(queueOffset, e)) {
            return -1;
        }
        ReadHold hold = new ReadHold();
        try {
            ByteBuffer r = commitLog.read(e.commitLogOffset, e.size, hold);
            return r == null ? -1 : MessageRecord.storeTimestampOf(r);
        } finally {
            hold.release();
        }
    }

    /** Store timestamp of the oldest message in the queue, or -1. */
    @Override
    public long earliestStoreTimestamp(String topic, int queueId) {
        return storeTimestamp(topic, queueId, Math.max(0, minOffset(topic, queueId)));
    }

    /** Queue offset for a store timestamp, by binary search over store times. */
    @Override
    public long offsetForTimestamp(String topic, int queueId, long timestamp, TimeBoundary boundary) {
        ConsumeQueue cq = queue(topic, queueId);
        if (cq == null || cq.maxOffset() == 0) {
            return 0;
        }
        long lo = cq.minOffset();
        long hi = cq.maxOffset() - 1;
        // first offset with storeTime >= timestamp
        long first = cq.maxOffset();
        long a = lo;
        long b = hi;
        while (a <= b) {
            long mid = (a + b) >>> 1;
            long t = storeTimestamp(topic, queueId, mid);
            if (t >= timestamp) {
                first = mid;
                b = mid - 1;
            } else {
                a = mid + 1;
            }
        }
        return switch (boundary) {
            case LOWER -> first;
            case UPPER -> {
                // last offset with storeTime <= timestamp
                long idx = first;
                while (idx <= hi && storeTimestamp(topic, queueId, idx) == timestamp) {
                    idx++;
                }
                yield Math.max(lo, idx - 1);
            }
        };
    }

    /**
     * Messages of {@code topic} whose {@code UNIQ_KEY} (when {@code uniqueKey}) or one of whose
     * {@code KEYS} equals {@code key}, stored within [begin, end]; at most {@code max}, each verified
     * (CRC, topic and key) before it is returned.
     */
    @Override
    public List<ByteBuffer> query(String topic, String key, boolean uniqueKey, int max, long begin, long end) {
        List<ByteBuffer> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long offset : index.lookup(topic, key, begin, end, max)) {
            if (out.size() >= max || !seen.add(offset)) {
                continue;
            }
            ByteBuffer r = recordAt(offset);
            if (r == null || !topic.equals(MessageRecord.topicOf(r))) {
                continue;
            }
            java.util.Map<String, String> props =
                io.quiver.protocol.message.MessageProperties.parse(MessageRecord.propertiesOf(r));
            boolean match = uniqueKey ? key.equals(props.get(io.quiver.protocol.message.MessageProperties.UNIQ_KEY))
                : java.util.Arrays.asList(String.valueOf(props.get(io.quiver.protocol.message.MessageProperties.KEYS))
                    .split(" ")).contains(key);
            if (match) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Registers a listener that receives the duration (ns) of every commit-log force, on the flush thread;
     * it must be cheap and must not block. Call after {@link #start()}.
     */
    public void onForce(java.util.function.LongConsumer listener) {
        if (flushService != null) {
            flushService.onForce(listener);
        }
    }

    /** Forces of the commit log since start (group commits), for metrics and benchmarks. */
    public long forceCount() {
        return flushService == null ? 0 : flushService.forceCount();
    }

    /** Commit-log offset up to which the index is built. */
    @Override
    public long indexedUpTo() {
        return index.indexedUpTo();
    }

    /** One more than the highest queue id {@code topic} has in the store (0 if it has none). */
    public int queueCount(String topic) {
        Map<Integer, ConsumeQueue> m = queues.get(topic);
        return m == null || m.isEmpty() ? 0 : Collections.max(m.keySet()) + 1;
    }

    /** Topics that have at least one queue in the store. */
    @Override
    public List<String> topics() {
        List<String> t = new ArrayList<>(queues.keySet());
        Collections.sort(t);
        return t;
    }

    @Override
    public long commitLogWritePosition() {
        return commitLog.writePosition();
    }

    @Override
    public long commitLogMinOffset() {
        return commitLog.minOffset();
    }

    /** Whether the commit log has no segment at all (a new replica may then start at its master's oldest). */
    public boolean commitLogEmpty() {
        return commitLog.file().isEmpty();
    }

    // ------------------------------------------------------------------ durability

    /** The safe offset of the last checkpoint written by {@link #checkpointIfAdvanced}; maintenance thread only. */
    private long lastCheckpointed = -1;
    /**
     * Set when forcing the queues or the index failed: the kernel may have dropped the pages it could not
     * write and a later force reports success without them, so nothing written before that failure can be
     * trusted as durable. The checkpoint then stays where it is until the next start, whose recovery
     * rebuilds from there. Maintenance thread only.
     */
    private boolean checkpointFrozen;

    /**
     * Forces the consume queues and the index, then records the offset up to which the commit log and
     * they are durable, so recovery after a crash scans only from there. Skipped while nothing advanced,
     * so an idle broker does no disk work. Runs on the maintenance thread, off the flush thread's path.
     */
    private void checkpointIfAdvanced() {
        synchronized (checkpointLock) {
            checkpointIfAdvancedLocked();
        }
    }

    /** Held while a checkpoint is computed and written, and while a replica's log is cut back. */
    private final Object checkpointLock = new Object();

    private void checkpointIfAdvancedLocked() {
        long safe = Math.min(flushService.flushedPosition(), dispatchedPosition);
        if (safe == lastCheckpointed || checkpointFrozen) {
            return;
        }
        try {
            writeCheckpoint(safe);
        } catch (RuntimeException e) {
            checkpointFrozen = true;
            throw new StoreException("forcing the consume queues or the index failed; the checkpoint stays at "
                + lastCheckpointed + " until the broker restarts, so a crash recovery rebuilds everything after it", e);
        }
        lastCheckpointed = safe;
    }

    private void writeCheckpoint(long safe) {
        for (ConsumeQueue cq : allQueues()) {
            cq.flush();
        }
        index.flush();
        new Checkpoint(safe, safe, false).write(disk, checkpointFile);
    }

    /** Stops writes, forces everything, writes a clean checkpoint and removes the abort marker. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writable = false;
        maintenance.shutdownNow();
        if (appender != null) {
            appender.close(); // answers whatever is still queued
        }
        try {
            if (flushService != null) {
                flushService.shutdown();
            }
            index.shutdown();
            long end = commitLog.writePosition();
            for (ConsumeQueue cq : allQueues()) {
                cq.flush();
                cq.close();
            }
            new Checkpoint(end, end, true).write(disk, checkpointFile);
            disk.delete(abortMarker);
        } catch (RuntimeException e) {
            log.error("store shutdown did not complete cleanly; the next start will run crash recovery", e);
        } finally {
            commitLog.close();
        }
    }
}
