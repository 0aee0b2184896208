package io.quiver.broker.pop;

import io.quiver.broker.support.ProgressFile;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.Clock;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POP consumption (RocketMQ 5): hands out messages that stay invisible to other pops until acknowledged or until
 * their time passes, then redelivers what was not acknowledged through the group's POP retry topic
 * ({@code %RETRY%group_topic}), or to its dead-letter queue once the group's retries are spent. One thread owns the
 * {@link PopLedger}; requests reach it through a bounded inbox and are answered when their pop-log entry is stored.
 *
 * <p>Durable: every pop, acknowledgement and revival is an entry of the pop log ({@link PopLogRecord}, an internal
 * topic of the commit log), appended before the client is answered. After a restart the log is replayed from the
 * oldest entry still needed ({@code pop-progress.json}), and the groups' committed offsets say where queues
 * untouched since then resume: acknowledged messages of those may come again when the committed offsets had not
 * reached the disk before a crash ({@code flushConsumerOffsetInterval}, 5 s).
 */
public final class PopService extends io.quiver.store.DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(PopService.class);

    /** Requests waiting for the pop thread, at most; beyond it a request is answered "busy". */
    public static final int MAX_PENDING_REQUESTS = 10_000;
    /** How often committed offsets and the replay position are written. */
    static final long COMMIT_PERIOD_MILLIS = 1_000;
    /** Most checkpoints revived per cycle. */
    static final int MAX_REVIVES_PER_CYCLE = 64;
    static final long MAX_IDLE_MILLIS = 100;
    /** reviveQid in receipts: 999 marks a FIFO pop, as in RocketMQ; any other value is informational here. */
    public static final int REVIVE_QID = 0;
    public static final int ORDER_REVIVE_QID = 999;
    /** The message property carrying a POP receipt (the client's, never stored by the broker). */
    public static final String POP_CK = "POP_CK";

    /** The POP retry topic of a group and topic. */
    public static String retryTopic(String group, String topic) {
        return TopicNames.popRetryTopic(group, topic);
    }

    /** What one pop asks for. {@code queueId} -1: every queue of the topic ({@code queues} of them). */
    public record Request(String group, String topic, int queueId, int queues, int maxMessages, long invisibleMillis,
                          boolean fromFirst, MessageFilter filter, boolean order) {}

    /** What one queue gave to a pop: {@code retry} when it is the POP retry topic. Records are copies. */
    public record QueuePop(boolean retry, String realTopic, int queueId, long startOffset, long[] offsets,
                           long scannedTo, List<ByteBuffer> records, int[] redeliveries) {}

    /** What a pop gave: possibly nothing. */
    public record Popped(long popTime, long invisibleMillis, List<QueuePop> queues, long restNum) {
        public int count() {
            return queues.stream().mapToInt(q -> q.records().size()).sum();
        }
    }

    /** A change of invisible time: the new receipt's pop time and duration, or null when nothing was changed. */
    public record Changed(long popTime, long invisibleMillis) {}

    /** Where replay starts after a restart (the pop log's queue offset). */
    public static final class Progress {
        public long replayFrom;
    }

    private final MessageStore store;
    private final Clock clock;
    private volatile io.quiver.broker.trace.Tracer tracer = io.quiver.broker.trace.Tracer.NONE;
    private final byte[] storeHost;
    private final int storePort;
    private final Offsets offsets;
    private final Function<String, Integer> maxReconsumeTimes;
    private final java.util.function.Consumer<String> ensureTopic;
    private final ProgressFile<Progress> progressFile;
    private final ArrayBlockingQueue<Runnable> inbox = new ArrayBlockingQueue<>(MAX_PENDING_REQUESTS);
    /**
     * Completions of this service's own appends, handed back from the store's writer; never blocks. Bounded by the
     * appends in flight: at most one per request taken from the inbox, plus {@link #MAX_REVIVES_PER_CYCLE} per cycle.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> completions =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Pop-log positions below which appends in flight will land (replay must start no later). Pop thread. */
    private final java.util.TreeMap<Long, Integer> appendFloors = new java.util.TreeMap<>();
    /** Checkpoints whose revival failed, with when to try again. Pop thread. */
    private final Map<PopLedger.CheckpointId, Long> reviveBackoff = new HashMap<>();
    static final long REVIVE_BACKOFF_MILLIS = 1_000;
    // Owned by the pop thread.
    private final PopLedger ledger = new PopLedger();
    private final Set<PopLedger.CheckpointId> reviving = new HashSet<>();
    /** Pop-log queue offset of each open checkpoint's entry (for the replay position). */
    private final Map<PopLedger.CheckpointId, Long> entryOffsets = new HashMap<>();
    private final Map<String, Integer> nextQueue = new HashMap<>();
    private final java.util.Random random = new java.util.Random();
    private long lastCommit;
    private long writtenReplayFrom = -1;
    private volatile java.util.function.Consumer<String> onRedelivered = t -> { };

    /** The groups' committed offsets, as the pop thread reads and moves them. */
    public interface Offsets {
        /** -1 when the group never committed on the queue. */
        long get(String group, String topic, int queueId);

        void commit(String group, String topic, int queueId, long offset);
    }

    public PopService(MessageStore store, Clock clock, byte[] storeHost, int storePort, Offsets offsets,
                      Function<String, Integer> maxReconsumeTimes, java.util.function.Consumer<String> ensureTopic,
                      Path progressFile) {
        super("quiver-pop", MAX_IDLE_MILLIS);
        this.store = store;
        this.clock = clock;
        this.storeHost = storeHost;
        this.storePort = storePort;
        this.offsets = offsets;
        this.maxReconsumeTimes = maxReconsumeTimes;
        this.ensureTopic = ensureTopic;
        this.progressFile = new ProgressFile<>(progressFile, Progress.class, Progress::new);
    }

    // ------------------------------------------------------------------ requests (any thread)

    /** Reports acknowledgements and changes of invisible time to the trace store. */
    public void traceWith(io.quiver.broker.trace.Tracer t) {
        tracer = t;
    }

    public CompletableFuture<Popped> pop(Request r) {
        return submit(done -> popNow(r, done));
    }

    /** Acknowledges {@code offset} of checkpoint {@code id}; completes with whether it was open and unacknowledged. */
    public CompletableFuture<Boolean> ack(PopLedger.CheckpointId id, long offset) {
        return submit(done -> ackNow(id, offset, done));
    }

    /** What a peek saw: copies of the next records a pop would take (no checkpoint), and how many are left. */
    public record Peeked(List<ByteBuffer> records, long restNum) {}

    /**
     * PEEK_MESSAGE: up to {@code max} of the records the group's next pops of {@code topic} (queue {@code queueId}, or
     * every one of its {@code queues} when negative) would take, without taking them.
     */
    public CompletableFuture<Peeked> peek(String group, String topic, int queueId, int queues, int max) {
        return submit(done -> {
            List<ByteBuffer> out = new ArrayList<>();
            long rest = 0;
            for (int q : queueIds(queueId, queues)) {
                PopLedger.Queue key = new PopLedger.Queue(group, topic, q);
                long from = nextPopOffset(key);
                long max0 = store.confirmedMaxOffset(topic, q);
                rest += Math.max(0, max0 - from);
                if (out.size() >= max || from >= max0) {
                    continue;
                }
                GetResult g = store.getConfirmed(topic, q, from, max - out.size(), 0, MessageFilter.ALL);
                try {
                    for (ByteBuffer b : g.records()) {
                        ByteBuffer c = ByteBuffer.allocate(b.remaining());
                        c.put(b.duplicate()).flip();
                        out.add(c);
                    }
                } finally {
                    g.release();
                }
            }
            done.complete(new Peeked(out, rest));
        });
    }

    /**
     * NOTIFICATION: whether a pop of the group would find something in {@code topic} (queue {@code queueId} or all
     * {@code queues}) or its POP retry topic; a FIFO pop ({@code order}) not in queues it holds.
     */
    public CompletableFuture<Boolean> hasBacklog(String group, String topic, int queueId, int queues, boolean order) {
        return submit(done -> {
            List<Integer> ids = new ArrayList<>(queueIds(queueId, queues));
            for (int q : ids) {
                PopLedger.Queue key = new PopLedger.Queue(group, topic, q);
                if (order && ledger.heldByOrder(key)) {
                    continue;
                }
                if (store.confirmedMaxOffset(topic, q) > nextPopOffset(key)) {
                    done.complete(true);
                    return;
                }
            }
            String retry = retryTopic(group, topic);
            done.complete(!order && store.confirmedMaxOffset(retry, 0)
                > nextPopOffset(new PopLedger.Queue(group, retry, 0)));
        });
    }

    private static List<Integer> queueIds(int queueId, int queues) {
        List<Integer> ids = new ArrayList<>();
        if (queueId >= 0) {
            ids.add(queueId);
        } else {
            for (int i = 0; i < queues; i++) {
                ids.add(i);
            }
        }
        return ids;
    }

    /** Where the group's next pop of a queue starts, without recording anything for a queue not popped yet. */
    private long nextPopOffset(PopLedger.Queue key) {
        long min = Math.max(0, store.minOffset(key.topic(), key.queueId()));
        long committed = offsets.get(key.group(), key.topic(), key.queueId());
        long initial = committed >= 0 ? committed : min;
        return Math.max(min, ledger.peekNextOffset(key, initial));
    }

    /** Gives {@code offset} of checkpoint {@code id} a new invisible time from now, under a new checkpoint. */
    public CompletableFuture<Changed> changeInvisible(PopLedger.CheckpointId id, long offset, long invisibleMillis) {
        return submit(done -> changeNow(id, offset, invisibleMillis, done));
    }

    /**
     * An operator reset {@code group}'s offsets of {@code topic} (queue id to offset): queues this service pops start
     * there again, their open checkpoints dropped; recorded in the pop log so a restart keeps it.
     */
    public CompletableFuture<Void> reset(String group, String topic, Map<Integer, Long> offsets) {
        return submit(done -> {
            List<MessageDraft> drafts = new ArrayList<>();
            List<PopLogRecord> recs = new ArrayList<>();
            for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
                PopLedger.Queue q = new PopLedger.Queue(group, topic, e.getKey());
                if (ledger.peekNextOffset(q, -1) < 0) {
                    continue; // never popped: the committed offset is where its first pop starts anyway
                }
                PopLogRecord rec = new PopLogRecord.Reset(new PopLedger.CheckpointId(q, e.getValue(), 0));
                rec.applyTo(ledger);
                entryOffsets.keySet().removeIf(id -> id.queue().equals(q));
                recs.add(rec);
                drafts.add(entry(rec));
            }
            if (drafts.isEmpty()) {
                done.complete(null);
                return;
            }
            append(drafts, recs, () -> done.complete(null), done::completeExceptionally);
        });
    }

    /** Told the original topic of messages just redelivered to a POP retry topic (waiting pops may want them). */
    public void onRedelivered(java.util.function.Consumer<String> callback) {
        this.onRedelivered = callback;
    }

    /** Open checkpoints (for status). Any thread; a moment's view. */
    public int openCheckpoints() {
        return ledger.openCheckpoints();
    }

    private interface Task<T> {
        void run(CompletableFuture<T> done);
    }

    private <T> CompletableFuture<T> submit(Task<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (!inbox.offer(() -> {
            try {
                task.run(done);
            } catch (RuntimeException e) {
                log.error("a POP request failed", e);
                done.completeExceptionally(e);
            }
        })) {
            done.completeExceptionally(new IllegalStateException("the broker is busy with " + MAX_PENDING_REQUESTS
                + " POP requests; try again"));
            return done;
        }
        wake();
        return done;
    }

    // ------------------------------------------------------------------ the pop thread

    @Override
    protected void beforeStart() {
        long from = progressFile.read().replayFrom;
        long max = store.maxOffset(PopLogRecord.TOPIC, 0);
        long next = Math.max(from, Math.max(0, store.minOffset(PopLogRecord.TOPIC, 0)));
        int entries = 0;
        while (next < max) {
            GetResult r = store.getCopies(PopLogRecord.TOPIC, 0, next, 256, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                if (r.nextBeginOffset() <= next) {
                    break;
                }
                next = r.nextBeginOffset();
                continue;
            }
            for (ByteBuffer b : r.records()) {
                DecodedMessage m = MessageRecord.decode(b, 0);
                try {
                    PopLogRecord rec = PopLogRecord.decode(m.body);
                    rec.applyTo(ledger);
                    track(rec, m.queueOffset);
                    entries++;
                } catch (IllegalArgumentException e) {
                    log.error("pop log entry {} cannot be read ({}); skipped", m.queueOffset, e.getMessage());
                }
            }
            next = r.nextBeginOffset();
        }
        if (entries > 0) {
            log.info("POP state rebuilt from {} pop-log entries: {} checkpoints open", entries, ledger.openCheckpoints());
        }
    }

    /** Keeps the pop-log position of open checkpoints (replay starts at the oldest). */
    private void track(PopLogRecord rec, long entryOffset) {
        if (rec instanceof PopLogRecord.Reset) {
            return;
        }
        if (rec instanceof PopLogRecord.Pop && ledger.checkpoint(rec.id()) != null) {
            entryOffsets.putIfAbsent(rec.id(), entryOffset);
        } else if (ledger.checkpoint(rec.id()) == null) {
            entryOffsets.remove(rec.id());
        }
    }

    @Override
    protected int doWork() {
        int n = 0;
        for (Runnable task; (task = completions.poll()) != null; n++) {
            task.run();
        }
        for (Runnable task; (task = inbox.poll()) != null && n < 1_000; n++) {
            task.run();
        }
        writeAcks();
        long now = clock.millis();
        n += revive(now);
        if (now - lastCommit >= COMMIT_PERIOD_MILLIS) {
            lastCommit = now;
            commit();
        }
        return n;
    }

    @Override
    protected long idleWaitNanos() {
        long untilDue = ledger.nextDue() - clock.millis();
        // at least a little: checkpoints being revived or backing off stay due until their write is done
        return Math.max(MIN_IDLE_MILLIS, Math.min(MAX_IDLE_MILLIS, untilDue)) * 1_000_000L;
    }

    static final long MIN_IDLE_MILLIS = 5;
    /**
     * Whether a pop or an acknowledgement waits until its pop-log entry is forced to disk (and held by the in-sync
     * replicas) before it is answered. It does not: a written entry survives a kill -9 of the broker (it is in the
     * operating system's page cache), and an entry a power loss or a failover takes back only brings its messages back
     * (popped again, or redelivered), never loses one: POP is at least once. Waiting cost a disk force per pop and
     * per cycle of acknowledgements. Redeliveries ({@link #revive}) still wait: they store messages.
     */
    static final boolean LOG_WAITS_FOR_DISK = false;

    /** About the most bytes one pop returns (a message larger than the rest still goes alone). */
    public static final int MAX_POP_BYTES = 8 * 1024 * 1024;

    /** Acknowledgements handled this cycle and not yet written, by checkpoint (at most the inbox's 1 000 a cycle). */
    private final Map<PopLedger.CheckpointId, List<PendingAck>> pendingAcks = new java.util.LinkedHashMap<>();

    private void popNow(Request r, CompletableFuture<Popped> done) {
        long popTime = clock.millis();
        List<QueuePop> out = new ArrayList<>();
        int[] left = {Math.max(1, r.maxMessages()), MAX_POP_BYTES}; // messages, then bytes
        String retry = retryTopic(r.group(), r.topic());
        boolean retryFirst = !r.order() && random.nextInt(5) == 0;
        if (retryFirst) {
            popQueue(r, retry, 0, true, popTime, left, out);
        }
        List<Integer> queues = new ArrayList<>();
        if (r.queueId() >= 0) {
            queues.add(r.queueId());
        } else {
            int start = Math.floorMod(nextQueue.merge(r.group() + "\u0001" + r.topic(), 1,
                (a, b) -> (a + b) & Integer.MAX_VALUE), Math.max(1, r.queues()));
            for (int i = 0; i < r.queues(); i++) {
                queues.add((start + i) % r.queues());
            }
        }
        for (int q : queues) {
            if (left[0] <= 0 || left[1] <= 0) {
                break;
            }
            popQueue(r, r.topic(), q, false, popTime, left, out);
        }
        if (!retryFirst && !r.order() && left[0] > 0 && left[1] > 0) {
            popQueue(r, retry, 0, true, popTime, left, out);
        }
        long rest = 0;
        for (int q : queues) {
            long max = store.confirmedMaxOffset(r.topic(), q);
            long from = ledger.peekNextOffset(new PopLedger.Queue(r.group(), r.topic(), q), max);
            rest += Math.max(0, max - from);
        }
        Popped popped = new Popped(popTime, r.invisibleMillis(), out, rest);
        if (out.isEmpty()) {
            done.complete(popped);
            return;
        }
        List<MessageDraft> entries = new ArrayList<>();
        List<PopLogRecord> recs = new ArrayList<>();
        for (QueuePop q : out) {
            PopLogRecord rec = new PopLogRecord.Pop(new PopLedger.CheckpointId(new PopLedger.Queue(r.group(),
                q.realTopic(), q.queueId()), q.startOffset(), popTime), q.offsets(), q.scannedTo(), r.invisibleMillis(),
                r.order());
            recs.add(rec);
            entries.add(entry(rec));
        }
        append(entries, recs, () -> done.complete(popped), failure -> {
            for (PopLogRecord rec : recs) {
                ledger.cancel(rec.id()); // not recorded: the messages stay to be popped again
            }
            done.completeExceptionally(failure);
        });
    }

    /** Pops up to {@code left[0]} messages and about {@code left[1]} bytes of one queue into {@code out}. */
    private void popQueue(Request r, String realTopic, int queueId, boolean retry, long popTime, int[] left,
                          List<QueuePop> out) {
        PopLedger.Queue key = new PopLedger.Queue(r.group(), realTopic, queueId);
        if (ledger.heldByOrder(key) || !ledger.hasRoom()) {
            return;
        }
        long committed = offsets.get(r.group(), realTopic, queueId);
        long min = Math.max(0, store.minOffset(realTopic, queueId));
        // A group's first pop of a queue starts at its committed offset, else at the start or (consumeFromWhere
        // LAST) at the end as it is now, so what arrives from now on is delivered.
        long initial = committed >= 0 ? committed : retry || r.fromFirst() ? min : store.confirmedMaxOffset(realTopic, queueId);
        long from = Math.max(min, ledger.nextOffset(key, initial));
        if (store.maxOffset(realTopic, queueId) <= from) {
            return;
        }
        GetResult g = store.getConfirmed(realTopic, queueId, from, Math.min(left[0], PopLedger.MAX_OFFSETS_PER_CHECKPOINT),
            left[1], r.filter());
        try {
            if (g.records().isEmpty()) {
                if (g.nextBeginOffset() > from) {
                    ledger.pop(key, new long[0], g.nextBeginOffset(), popTime, r.invisibleMillis(), r.order());
                }
                return;
            }
            long[] offsets = new long[g.records().size()];
            List<ByteBuffer> copies = new ArrayList<>(offsets.length);
            for (int i = 0; i < offsets.length; i++) {
                ByteBuffer b = g.records().get(i);
                offsets[i] = b.getLong(b.position() + MessageRecord.POS_QUEUE_OFFSET);
                ByteBuffer c = ByteBuffer.allocate(b.remaining());
                c.put(b.duplicate()).flip();
                copies.add(c);
                left[1] -= c.remaining();
            }
            int[] redeliveries = new int[offsets.length];
            if (r.order()) {
                for (int i = 0; i < offsets.length; i++) {
                    redeliveries[i] = ledger.redeliveries(key, offsets[i]);
                }
            }
            ledger.pop(key, offsets, g.nextBeginOffset(), popTime, r.invisibleMillis(), r.order());
            out.add(new QueuePop(retry, realTopic, queueId, offsets[0], offsets, g.nextBeginOffset(), copies,
                redeliveries));
            left[0] -= offsets.length;
        } finally {
            g.release();
        }
    }

    private void ackNow(PopLedger.CheckpointId id, long offset, CompletableFuture<Boolean> done) {
        PopLedger.AckOutcome o = ledger.ack(id, offset);
        if (o != PopLedger.AckOutcome.ACKED && o != PopLedger.AckOutcome.CHECKPOINT_DONE) {
            done.complete(false);
            return;
        }
        if (o == PopLedger.AckOutcome.CHECKPOINT_DONE) {
            entryOffsets.remove(id);
        }
        tracer.acked(id.queue().group(), id.queue().topic(), id.queue().queueId(), offset);
        // recorded with the other acknowledgements of this cycle: one entry per checkpoint, one append
        pendingAcks.computeIfAbsent(id, k -> new ArrayList<>(4)).add(new PendingAck(offset, done));
    }

    private record PendingAck(long offset, CompletableFuture<Boolean> done) {}

    /** Appends the acknowledgements gathered this cycle; each is answered once its entry is durable. */
    private void writeAcks() {
        if (pendingAcks.isEmpty()) {
            return;
        }
        List<MessageDraft> drafts = new ArrayList<>();
        List<PopLogRecord> recs = new ArrayList<>();
        List<CompletableFuture<Boolean>> dones = new ArrayList<>();
        for (Map.Entry<PopLedger.CheckpointId, List<PendingAck>> e : pendingAcks.entrySet()) {
            long[] offsets = e.getValue().stream().mapToLong(PendingAck::offset).sorted().toArray();
            PopLogRecord rec = offsets.length == 1 ? new PopLogRecord.Ack(e.getKey(), offsets[0])
                : new PopLogRecord.Acks(e.getKey(), offsets);
            recs.add(rec);
            drafts.add(entry(rec));
            e.getValue().forEach(a -> dones.add(a.done()));
        }
        pendingAcks.clear();
        append(drafts, recs, () -> dones.forEach(d -> d.complete(true)),
            failure -> dones.forEach(d -> d.completeExceptionally(failure)));
    }

    private void changeNow(PopLedger.CheckpointId id, long offset, long invisibleMillis, CompletableFuture<Changed> done) {
        PopLedger.Checkpoint ck = ledger.checkpoint(id);
        if (ck == null || !ck.unacked().contains(offset) || reviving.contains(id)) {
            done.complete(null);
            return;
        }
        long now = clock.millis();
        PopLedger.CheckpointId fresh = new PopLedger.CheckpointId(id.queue(), offset, now);
        if (ledger.checkpoint(fresh) != null) {
            now++; // two changes of one message in the same millisecond
            fresh = new PopLedger.CheckpointId(id.queue(), offset, now);
        }
        // the queue's pop position rides along, so replaying this entry never moves it back
        long scanned = Math.max(offset + 1, ledger.peekNextOffset(id.queue(), offset + 1));
        PopLogRecord pop = new PopLogRecord.Pop(fresh, new long[] {offset}, scanned, invisibleMillis, ck.order());
        PopLogRecord ack = new PopLogRecord.Ack(id, offset);
        long popTime = now;
        reviving.add(id); // no revival of the old checkpoint while the change is being written
        append(List.of(entry(pop), entry(ack)), List.of(pop, ack), () -> {
            reviving.remove(id);
            pop.applyTo(ledger);
            if (ledger.ack(id, offset) == PopLedger.AckOutcome.CHECKPOINT_DONE) {
                entryOffsets.remove(id);
            }
            tracer.invisibleChanged(id.queue().group(), id.queue().topic(), id.queue().queueId(), offset, invisibleMillis);
            done.complete(new Changed(popTime, invisibleMillis));
        }, failure -> {
            reviving.remove(id);
            done.completeExceptionally(failure);
        });
    }

    /**
     * Redelivers due checkpoints: the unacknowledged messages go to the group's POP retry topic (or its dead-letter
     * queue once its retries are spent), appended together with the checkpoint's revival entry; a FIFO checkpoint
     * only records the revival (its queue starts again at its first unacknowledged message).
     */
    private int revive(long now) {
        int n = 0;
        for (PopLedger.Checkpoint ck : ledger.due(now, MAX_REVIVES_PER_CYCLE + reviving.size() + reviveBackoff.size())) {
            if (n >= MAX_REVIVES_PER_CYCLE || reviving.contains(ck.id())
                || reviveBackoff.getOrDefault(ck.id(), 0L) > now) {
                continue;
            }
            n++;
            PopLedger.CheckpointId id = ck.id();
            List<MessageDraft> drafts = new ArrayList<>();
            Set<String> originals = new HashSet<>();
            if (ck.order()) {
                originals.add(id.queue().topic()); // its queue is free again: waiting pops may take it
            } else {
                for (long offset : ck.unacked()) {
                    MessageDraft d = redelivery(id, offset);
                    if (d != null) {
                        drafts.add(d);
                        String rt = MessageProperties.parse(d.properties()).get(MessageProperties.RETRY_TOPIC);
                        if (rt != null) {
                            originals.add(rt);
                        }
                    }
                }
            }
            PopLogRecord rec = new PopLogRecord.Revived(id);
            drafts.add(entry(rec));
            reviving.add(id);
            store.put(drafts, true).whenComplete((put, failure) -> submitQuietly(() -> {
                reviving.remove(id);
                if (failure == null && put.isStored()) {
                    reviveBackoff.remove(id);
                    ledger.revived(id);
                    entryOffsets.remove(id);
                    originals.forEach(onRedelivered);
                } else {
                    reviveBackoff.put(id, clock.millis() + REVIVE_BACKOFF_MILLIS);
                    log.warn("redelivering POP checkpoint {} failed ({}); trying again in {} ms", id,
                        failure != null ? failure.getMessage() : put.remark(), REVIVE_BACKOFF_MILLIS);
                }
            }));
        }
        return n;
    }

    /** The retry (or dead-letter) copy of one unacknowledged message, or null if it is gone from the store. */
    private MessageDraft redelivery(PopLedger.CheckpointId id, long offset) {
        String topic = id.queue().topic();
        GetResult g = store.getCopies(topic, id.queue().queueId(), offset, 1, 0, MessageFilter.ALL);
        if (g.records().isEmpty()) {
            log.warn("POP message {}:{}@{} of group {} is gone from the store; not redelivered", topic,
                id.queue().queueId(), offset, id.queue().group());
            return null;
        }
        DecodedMessage m = MessageRecord.decode(g.records().get(0), 0);
        if (m.queueOffset != offset) {
            log.warn("POP message {}:{}@{} of group {} is gone from the store (the next readable is {}); not redelivered",
                topic, id.queue().queueId(), offset, id.queue().group(), m.queueOffset);
            return null;
        }
        Map<String, String> props = new LinkedHashMap<>(m.propertyMap());
        String group = id.queue().group();
        boolean fromRetry = topic.startsWith(TopicNames.RETRY_PREFIX);
        String original = fromRetry ? props.getOrDefault(MessageProperties.RETRY_TOPIC, topic) : topic;
        props.put(MessageProperties.RETRY_TOPIC, original);
        props.remove(POP_CK);
        int times = m.reconsumeTimes + 1;
        boolean dead = times > maxReconsumeTimes.apply(group);
        String target = dead ? TopicNames.dlqTopic(group) : retryTopic(group, original);
        ensureTopic.accept(target);
        MessageDraft d = MessageDraft.copyOf(m);
        d.topic(target);
        d.queueId(0);
        d.reconsumeTimes(times);
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        d.storeHost(storeHost);
        d.storePort(storePort);
        return d;
    }

    private MessageDraft entry(PopLogRecord rec) {
        MessageDraft d = new MessageDraft();
        d.topic(PopLogRecord.TOPIC);
        d.queueId(0);
        byte[] body = PopLogRecord.encode(rec);
        d.body(body, 0, body.length);
        d.bornTimestamp(clock.millis());
        d.storeHost(storeHost);
        d.storePort(storePort);
        return d;
    }

    /**
     * Appends pop-log entries once they are written to the commit log, without waiting for the disk or the replicas
     * ({@link #LOG_WAITS_FOR_DISK}). The client's answer and the bookkeeping both happen on the pop thread once the
     * store is done.
     */
    private void append(List<MessageDraft> drafts, List<PopLogRecord> recs, Runnable ok,
                        java.util.function.Consumer<Throwable> failed) {
        long floor = store.maxOffset(PopLogRecord.TOPIC, 0);
        appendFloors.merge(floor, 1, Integer::sum);
        store.put(drafts, LOG_WAITS_FOR_DISK).whenComplete((put, failure) -> submitQuietly(() -> {
            appendFloors.computeIfPresent(floor, (k, v) -> v == 1 ? null : v - 1);
            if (failure != null || !put.isStored()) {
                failed.accept(failure != null ? failure : new IllegalStateException(put.remark()));
                return;
            }
            ok.run(); // the ledger has the change now (a change of invisible time applies it here)
            long[] q = put.queueOffsets();
            for (int i = 0; i < recs.size(); i++) {
                int at = q.length - recs.size() + i;
                if (at >= 0) {
                    track(recs.get(i), q[at]);
                }
            }
        }));
    }

    /** Hands a completion back to the pop thread; any thread, never blocks. */
    private void submitQuietly(Runnable task) {
        completions.add(task);
        wake();
    }

    /** Writes the groups' committed offsets (what every POP queue finished) and where a replay would start. */
    private void commit() {
        for (PopLedger.Queue q : ledger.queues()) {
            long c = ledger.committable(q);
            if (c > offsets.get(q.group(), q.topic(), q.queueId())) {
                offsets.commit(q.group(), q.topic(), q.queueId(), c);
            }
        }
        long from = store.maxOffset(PopLogRecord.TOPIC, 0);
        for (long o : entryOffsets.values()) {
            from = Math.min(from, o);
        }
        if (!appendFloors.isEmpty()) {
            from = Math.min(from, appendFloors.firstKey()); // entries on their way to the log are needed too
        }
        if (from != writtenReplayFrom) { // a broker without POP consumers writes nothing
            Progress p = new Progress();
            p.replayFrom = from;
            progressFile.write(p);
            writtenReplayFrom = from;
        }
    }

    @Override
    protected void onStop() {
        commit();
    }
}
