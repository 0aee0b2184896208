package io.quiver.broker.pop;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What POP consumption has handed out and what came back, per consumer group, topic and queue: where the next pop
 * starts, every checkpoint (one pop of one queue: the queue offsets it delivered, when, and for how long they stay
 * invisible) with the offsets acknowledged so far, and which checkpoints are due for redelivery. Pure and
 * single-threaded: no clock (callers pass the time), no I/O; the pop service owns it and rebuilds it from the pop
 * log after a restart by applying the same calls in the same order.
 *
 * <p>A checkpoint ends when every offset in it is acknowledged, or when it is revived (its unacknowledged messages
 * redelivered). The group's committed offset of a queue is the start of its oldest open checkpoint, or where the
 * next pop starts when none is open: everything before it was acknowledged or redelivered.
 */
public final class PopLedger {
    /** Most open checkpoints at once; a pop beyond it is refused (the client backs off). */
    public static final int MAX_OPEN_CHECKPOINTS = 100_000;
    /** Most queue offsets one checkpoint holds (one pop's batch). */
    public static final int MAX_OFFSETS_PER_CHECKPOINT = 1_024;

    /** A consumer group reading one queue. */
    public record Queue(String group, String topic, int queueId) {
        public Queue {
            Objects.requireNonNull(group);
            Objects.requireNonNull(topic);
        }
    }

    /** Names one checkpoint: its queue, the first offset it delivered, and when it was popped. */
    public record CheckpointId(Queue queue, long startOffset, long popTime) {}

    /** One pop of one queue. {@code offsets} ascend; {@code order}: a FIFO pop, which holds its queue until done. */
    public static final class Checkpoint {
        private final CheckpointId id;
        private final long[] offsets;
        private final long invisibleMillis;
        private final boolean order;
        private final BitSet acked;

        Checkpoint(CheckpointId id, long[] offsets, long invisibleMillis, boolean order) {
            this.id = id;
            this.offsets = offsets;
            this.invisibleMillis = invisibleMillis;
            this.order = order;
            this.acked = new BitSet(offsets.length);
        }

        public CheckpointId id() {
            return id;
        }

        public long reviveAt() {
            return id.popTime() + invisibleMillis;
        }

        public long invisibleMillis() {
            return invisibleMillis;
        }

        public boolean order() {
            return order;
        }

        /** The offsets delivered and not acknowledged yet, ascending. */
        public List<Long> unacked() {
            List<Long> out = new ArrayList<>();
            for (int i = acked.nextClearBit(0); i < offsets.length; i = acked.nextClearBit(i + 1)) {
                out.add(offsets[i]);
            }
            return out;
        }

        int index(long offset) {
            return java.util.Arrays.binarySearch(offsets, offset);
        }

        boolean done() {
            return acked.cardinality() == offsets.length;
        }

        long lastOffset() {
            return offsets[offsets.length - 1];
        }
    }

    /** What an acknowledgement did. */
    public enum AckOutcome {
        /** Recorded; the checkpoint still has offsets to acknowledge. */
        ACKED,
        /** Recorded, and it was the checkpoint's last: the checkpoint ended. */
        CHECKPOINT_DONE,
        /** Already acknowledged: nothing changed. */
        ALREADY,
        /** No open checkpoint has this offset (it ended, was revived, or never existed): nothing changed. */
        UNKNOWN
    }

    private static final class QueueState {
        long popOffset;
        /** Open checkpoints by start offset, then pop time. */
        final TreeMap<Long, List<Checkpoint>> open = new TreeMap<>();
        /** Whether a FIFO checkpoint is open (the queue is held). */
        int orderOpen;
        /** FIFO only: how often each offset not yet done came back after its invisible time ended. */
        final TreeMap<Long, Integer> redeliveries = new TreeMap<>();

        QueueState(long popOffset) {
            this.popOffset = popOffset;
        }
    }

    private record Due(long at, CheckpointId id) {}

    private final Map<Queue, QueueState> queues = new HashMap<>();
    private final Map<CheckpointId, Checkpoint> checkpoints = new HashMap<>();
    private final TreeSet<Due> due = new TreeSet<>((a, b) -> {
        int c = Long.compare(a.at(), b.at());
        if (c != 0) {
            return c;
        }
        c = Long.compare(a.id().popTime(), b.id().popTime());
        if (c != 0) {
            return c;
        }
        c = Long.compare(a.id().startOffset(), b.id().startOffset());
        if (c != 0) {
            return c;
        }
        c = a.id().queue().group().compareTo(b.id().queue().group());
        if (c != 0) {
            return c;
        }
        c = a.id().queue().topic().compareTo(b.id().queue().topic());
        return c != 0 ? c : Integer.compare(a.id().queue().queueId(), b.id().queue().queueId());
    });

    /** Every queue this ledger knows. */
    public java.util.Set<Queue> queues() {
        return java.util.Collections.unmodifiableSet(queues.keySet());
    }

    /** Open checkpoints now. */
    public int openCheckpoints() {
        return checkpoints.size();
    }

    /** Whether another pop may be recorded ({@link #MAX_OPEN_CHECKPOINTS}). */
    public boolean hasRoom() {
        return checkpoints.size() < MAX_OPEN_CHECKPOINTS;
    }

    /**
     * Where the next pop of {@code q} starts; a queue seen for the first time starts at {@code initial} (the group's
     * committed offset, or where the consumer asked to start).
     */
    public long nextOffset(Queue q, long initial) {
        return queues.computeIfAbsent(q, k -> new QueueState(initial)).popOffset;
    }

    /** Where the next pop of {@code q} starts, or {@code unknown} for a queue never seen (nothing is recorded). */
    public long peekNextOffset(Queue q, long unknown) {
        QueueState s = queues.get(q);
        return s == null ? unknown : s.popOffset;
    }

    /** Whether a FIFO pop holds {@code q} (no other pop of it until that one ends). */
    public boolean heldByOrder(Queue q) {
        QueueState s = queues.get(q);
        return s != null && s.orderOpen > 0;
    }

    /**
     * Records a pop of {@code q} that delivered {@code offsets} (ascending, possibly none: every scanned message was
     * filtered out) and scanned up to {@code scannedTo} (exclusive), at {@code popTime}, invisible for
     * {@code invisibleMillis}. Returns the checkpoint, or null when nothing was delivered.
     */
    public Checkpoint pop(Queue q, long[] offsets, long scannedTo, long popTime, long invisibleMillis, boolean order) {
        if (offsets.length > MAX_OFFSETS_PER_CHECKPOINT) {
            throw new IllegalArgumentException("a pop delivers at most " + MAX_OFFSETS_PER_CHECKPOINT + " messages");
        }
        QueueState s = queues.computeIfAbsent(q, k -> new QueueState(scannedTo));
        s.popOffset = Math.max(s.popOffset, scannedTo);
        if (offsets.length == 0) {
            return null;
        }
        for (int i = 1; i < offsets.length; i++) {
            if (offsets[i] <= offsets[i - 1]) {
                throw new IllegalArgumentException("the offsets of a pop must ascend");
            }
        }
        CheckpointId id = new CheckpointId(q, offsets[0], popTime);
        if (checkpoints.containsKey(id)) {
            return checkpoints.get(id); // a replay of the same record
        }
        Checkpoint ck = new Checkpoint(id, offsets.clone(), invisibleMillis, order);
        checkpoints.put(id, ck);
        s.open.computeIfAbsent(id.startOffset(), k -> new ArrayList<>(1)).add(ck);
        if (order) {
            s.orderOpen++;
        }
        due.add(new Due(ck.reviveAt(), id));
        return ck;
    }

    /** Records the acknowledgement of {@code offset} delivered by checkpoint {@code id}. */
    public AckOutcome ack(CheckpointId id, long offset) {
        Checkpoint ck = checkpoints.get(id);
        if (ck == null) {
            return AckOutcome.UNKNOWN;
        }
        int i = ck.index(offset);
        if (i < 0) {
            return AckOutcome.UNKNOWN;
        }
        if (ck.acked.get(i)) {
            return AckOutcome.ALREADY;
        }
        ck.acked.set(i);
        if (ck.done()) {
            end(ck);
            return AckOutcome.CHECKPOINT_DONE;
        }
        return AckOutcome.ACKED;
    }

    /** Open checkpoints whose invisible time has passed at {@code now}, soonest first, at most {@code max}. */
    public List<Checkpoint> due(long now, int max) {
        List<Checkpoint> out = new ArrayList<>();
        for (Due d : due) {
            if (d.at() > now || out.size() >= max) {
                break;
            }
            out.add(checkpoints.get(d.id()));
        }
        return out;
    }

    /** When the next open checkpoint falls due, or {@link Long#MAX_VALUE} with none open. */
    public long nextDue() {
        return due.isEmpty() ? Long.MAX_VALUE : due.first().at();
    }

    /**
     * Ends a due checkpoint: its unacknowledged messages were redelivered (a retry topic, or the dead-letter queue).
     * A FIFO checkpoint instead makes its queue start again at its first unacknowledged offset, so the messages come
     * back in order. Returns false if it had already ended.
     */
    public boolean revived(CheckpointId id) {
        Checkpoint ck = checkpoints.get(id);
        if (ck == null) {
            return false;
        }
        if (ck.order) {
            List<Long> left = ck.unacked();
            QueueState s = queues.get(id.queue());
            if (!left.isEmpty() && s != null) {
                s.popOffset = Math.min(s.popOffset, left.get(0));
                for (long o : left) {
                    s.redeliveries.merge(o, 1, Integer::sum);
                }
            }
        }
        end(ck);
        return true;
    }

    /** FIFO: how often {@code offset} of {@code q} came back (0 for a first delivery). */
    public int redeliveries(Queue q, long offset) {
        QueueState s = queues.get(q);
        if (s == null) {
            return 0;
        }
        Integer n = s.redeliveries.get(offset);
        return n == null ? 0 : n;
    }

    /**
     * The offset everything before which is done for {@code q} (acknowledged or redelivered): where the group's
     * committed offset may move. -1 for a queue this ledger never saw.
     */
    public long committable(Queue q) {
        QueueState s = queues.get(q);
        if (s == null) {
            return -1;
        }
        return s.open.isEmpty() ? s.popOffset : Math.min(s.popOffset, s.open.firstKey());
    }

    /**
     * Takes back a checkpoint whose pop-log entry could not be written: it ends, and its queue's next pop starts no
     * later than its first offset again (its messages may come twice, never not at all).
     */
    public void cancel(CheckpointId id) {
        Checkpoint ck = checkpoints.get(id);
        if (ck == null) {
            return;
        }
        end(ck);
        QueueState s = queues.get(id.queue());
        if (s != null) {
            s.popOffset = Math.min(s.popOffset, id.startOffset());
        }
    }

    /** An open checkpoint, or null. */
    public Checkpoint checkpoint(CheckpointId id) {
        return checkpoints.get(id);
    }

    /** Forgets a queue's state (its group reset its offset); open checkpoints of it end unacknowledged. */
    public void reset(Queue q, long offset) {
        QueueState s = queues.remove(q);
        if (s != null) {
            for (List<Checkpoint> l : new ArrayList<>(s.open.values())) {
                for (Checkpoint ck : new ArrayList<>(l)) {
                    checkpoints.remove(ck.id);
                    due.remove(new Due(ck.reviveAt(), ck.id));
                }
            }
        }
        queues.put(q, new QueueState(offset));
    }

    private void end(Checkpoint ck) {
        checkpoints.remove(ck.id);
        due.remove(new Due(ck.reviveAt(), ck.id));
        QueueState s = queues.get(ck.id.queue());
        if (s == null) {
            return;
        }
        List<Checkpoint> l = s.open.get(ck.id.startOffset());
        if (l != null) {
            l.remove(ck);
            if (l.isEmpty()) {
                s.open.remove(ck.id.startOffset());
            }
        }
        if (ck.order) {
            s.orderOpen--;
        }
        if (!s.redeliveries.isEmpty()) {
            long done = s.open.isEmpty() ? s.popOffset : Math.min(s.popOffset, s.open.firstKey());
            s.redeliveries.headMap(done).clear(); // only offsets still to be consumed are counted
        }
    }
}
