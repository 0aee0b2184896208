package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Unit tier, simulation: the whole store runs stepped on one thread over a {@link SimulatedDisk}, and a
 * seeded random decides everything: the sends, when the writer, flush and index run, checkpoints, crashes
 * (process death, power loss losing or tearing unforced pages), failed forces, a full disk and flipped bits.
 * After every restart the checker reads every queue and asserts: each send acknowledged as durable
 * (PUT_OK in SYNC_FLUSH) is served intact at its queue offset unless a flipped bit hit its own record; no
 * record is served damaged, twice, out of order or under another queue offset; and no send answered as not
 * stored is ever served.
 *
 * <p>{@code -Dsim.scenarios=N} sets how many seeds run (the chaos profile runs many more);
 * {@code -Dsim.seed=S} replays one. A failure names its seed.
 */
class StoreSimulationTest {
    private static final Path ROOT = Path.of("/sim/store");

    @Test
    void seededScenariosKeepEveryAcknowledgedRecordAndServeNothingDamaged() {
        Long only = Long.getLong("sim.seed");
        int scenarios = only != null ? 1 : Integer.getInteger("sim.scenarios", 1_000);
        long base = only != null ? only : new Random().nextLong() & 0xFFFF_FFFFL;
        Totals totals = new Totals();
        for (int i = 0; i < scenarios; i++) {
            long seed = base + i;
            try {
                new Scenario(seed, totals).run();
            } catch (Throwable t) {
                throw new AssertionError("simulation seed " + seed + " failed; replay it with -Dsim.seed=" + seed, t);
            }
        }
        System.out.printf("store simulation: %d seeds from %d, %s%n", scenarios, base, totals);
        assertThat(totals.acked).as("the scenarios acknowledged sends").isPositive();
        assertThat(totals.crashes).as("the scenarios crashed").isPositive();
    }

    /** Whether a flipped bit that damages a record costs that record only, in the mid-log case. */
    @Test
    void aFlippedBitInTheRecoveryWindowCostsOnlyTheRecordItHits() {
        Random rnd = new Random(7);
        SimulatedDisk disk = new SimulatedDisk(rnd, 64L << 20);
        StoreConfig cfg = config(FlushMode.SYNC_FLUSH, 64, 4096);
        FakeClock clock = new FakeClock();
        MessageStore store = new MessageStore(cfg, clock, disk, disk);
        MessageStore.Steps steps = store.startStepped();
        List<PutResult> results = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            CompletableFuture<PutResult> f = store.put(List.of(draft("T", 0, body(i, 100 + i % 50))), true, Runnable::run);
            steps.append();
            steps.flush();
            results.add(f.join());
        }
        assertThat(results).allMatch(r -> r.status() == PutResult.Status.PUT_OK);
        // Damage record 150 in the body; recovery scans from the start (no checkpoint after the first).
        long victim = results.get(150).commitLogOffsets()[0];
        long seg = victim / cfg.commitLogSegmentBytes() * cfg.commitLogSegmentBytes();
        disk.flipBit(cfg.commitLogDir().resolve(MappedSegment.fileName(seg)), (int) (victim - seg) + 90, 3);
        disk.crash(SimulatedDisk.CrashMode.PROCESS);

        MessageStore after = new MessageStore(cfg, clock, disk, disk);
        after.startStepped();
        assertThat(after.damagedAtRecovery()).hasSize(1);
        assertThat(after.damagedAtRecovery().get(0).from()).isEqualTo(victim);
        List<Integer> ids = new ArrayList<>();
        for (long o = 0; o < after.maxOffset("T", 0); ) {
            GetResult r = after.getCopies("T", 0, o, 1, 0, MessageFilter.ALL);
            for (ByteBuffer b : r.records()) {
                ids.add(idOf(b));
            }
            o = r.nextBeginOffset();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            if (i != 150) {
                expected.add(i);
            }
        }
        assertThat(ids).containsExactlyElementsOf(expected);
        assertThat(after.maxOffset("T", 0)).isEqualTo(300);
    }

    // ------------------------------------------------------------------ one scenario

    /** Counters over all scenarios, for the printed summary. */
    static final class Totals {
        long steps;
        long puts;
        long acked;
        long crashes;
        long flips;
        long damagedRanges;
        long forcesFailed;
        long diskFull;

        @Override
        public String toString() {
            return steps + " steps, " + puts + " sends, " + acked + " acknowledged, " + crashes + " crashes, " + flips
                + " flipped bits, " + damagedRanges + " damaged ranges stepped over, " + forcesFailed
                + " failed forces, " + diskFull + " sends refused on a full disk";
        }
    }

    /** A send the checker knows: its id, where it went and what became of it. */
    private record Sent(int id, String topic, int queueId, byte[] body, int indexInSend, int storedBytes) {}

    private static final class Scenario {
        private final long seed;
        private final Totals totals;
        private final Random rnd;
        private final SimulatedDisk disk;
        private final StoreConfig cfg;
        private final FakeClock clock = new FakeClock();
        private final boolean sync;
        private final String[] topics;
        private final int queues;
        private final double forceFailureRate;

        private MessageStore store;
        private MessageStore.Steps steps;
        private final List<Sent> sent = new ArrayList<>();
        private final Map<Integer, CompletableFuture<PutResult>> inFlight = new HashMap<>();
        /** Acknowledged as durable: id to its commit-log offset, size and queue offset. */
        private final Map<Integer, long[]> durable = new HashMap<>();
        /** Answered as not stored: must never be served. */
        private final Set<Integer> refused = new HashSet<>();
        /** Absolute commit-log offsets of flipped bytes. */
        private final List<Long> flipped = new ArrayList<>();
        /** Last id served per queue, to check order. */
        private int nextId;
        /** What happened, for the failure message. */
        private final List<String> history = new ArrayList<>();

        Scenario(long seed, Totals totals) {
            this.seed = seed;
            this.totals = totals;
            this.rnd = new Random(seed);
            long capacity = rnd.nextInt(4) == 0 ? (256 + rnd.nextInt(512)) * 1024L : 64L << 20;
            this.disk = new SimulatedDisk(rnd, capacity);
            this.forceFailureRate = rnd.nextInt(4) == 0 ? 0.05 + rnd.nextDouble() * 0.2 : 0;
            this.sync = rnd.nextInt(5) != 0;
            this.cfg = config(sync ? FlushMode.SYNC_FLUSH : FlushMode.ASYNC_FLUSH, 16 + rnd.nextInt(64),
                1024 + rnd.nextInt(8192));
            this.topics = new String[1 + rnd.nextInt(3)];
            for (int i = 0; i < topics.length; i++) {
                topics[i] = "T" + i;
            }
            this.queues = 1 + rnd.nextInt(4);
        }

        void run() {
            open();
            int n = 100 + rnd.nextInt(400);
            for (int i = 0; i < n; i++) {
                totals.steps++;
                int action = rnd.nextInt(100);
                if (action < 45) {
                    put();
                } else if (action < 65) {
                    steps.append();
                } else if (action < 80) {
                    flush();
                } else if (action < 85) {
                    steps.index();
                } else if (action < 93) {
                    checkpoint();
                } else if (action < 94) {
                    check();
                } else if (action < 96) {
                    crash();
                } else if (action < 97 && flipped.size() < 2 && rnd.nextInt(3) == 0) {
                    flip();
                }
                settle();
            }
            crash();
            totals.forcesFailed += disk.forcesFailed();
        }

        private void open() {
            for (int attempt = 0; ; attempt++) {
                try {
                    store = new MessageStore(cfg, clock, disk, disk);
                    steps = store.startStepped();
                    break;
                } catch (java.io.UncheckedIOException e) {
                    // a failed force during recovery stops the start; the operator mends the disk and starts again
                    assertThat(attempt).as("a start on a mended disk fails").isZero();
                    history.add("start failed: " + e.getMessage());
                    disk.crash(SimulatedDisk.CrashMode.PROCESS);
                    disk.failForces(0);
                }
            }
            disk.failForces(forceFailureRate);
            assertNoEmptyEntryBelowMax();
            totals.damagedRanges += store.damagedAtRecovery().size();
            history.add("recovered to " + store.commitLogWritePosition());
        }

        private void put() {
            String topic = topics[rnd.nextInt(topics.length)];
            int queueId = rnd.nextInt(queues);
            int count = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(4) : 1;
            List<MessageDraft> drafts = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int id = nextId++;
                int size = rnd.nextInt(10) == 0 ? 1_000 + rnd.nextInt(cfg.maxMessageBytes()) : 1 + rnd.nextInt(600);
                byte[] b = body(id, size);
                MessageDraft d = draft(topic, queueId, b);
                sent.add(new Sent(id, topic, queueId, b, i, d.encodedSize() + CommitLog.TRAILER_BYTES));
                drafts.add(d);
                ids.add(id);
            }
            totals.puts += count;
            clock.advance(1 + rnd.nextInt(5));
            CompletableFuture<PutResult> f = store.put(drafts, true, Runnable::run);
            for (int id : ids) {
                inFlight.put(id, f);
            }
        }

        private void flush() {
            try {
                steps.flush();
            } catch (RuntimeException e) {
                throw new AssertionError("a flush cycle threw instead of answering", e);
            }
        }

        private void checkpoint() {
            try {
                steps.checkpoint();
            } catch (RuntimeException e) {
                // a failed force of the queues: the checkpoint is not written, recovery scans further back
            }
        }

        /** Moves answered sends out of flight. */
        private void settle() {
            inFlight.entrySet().removeIf(e -> {
                CompletableFuture<PutResult> f = e.getValue();
                if (!f.isDone()) {
                    return false;
                }
                PutResult r = f.join();
                int id = e.getKey();
                switch (r.status()) {
                    case PUT_OK -> {
                        if (sync) {
                            int i = sent.get(id).indexInSend();
                            durable.put(id, new long[] {r.commitLogOffsets()[i], sent.get(id).storedBytes(),
                                r.queueOffsets()[i]});
                            totals.acked++;
                            if (Boolean.getBoolean("sim.trace")) {
                                history.add("ack " + id + "@" + r.commitLogOffsets()[i]);
                            }
                        }
                    }
                    case DISK_FULL, SERVICE_NOT_AVAILABLE, MESSAGE_ILLEGAL, BUSY -> {
                        refused.add(id);
                        if (r.status() == PutResult.Status.DISK_FULL) {
                            totals.diskFull++;
                        }
                    }
                    default -> { } // stored but not forced: may or may not survive
                }
                return true;
            });
        }

        private void crash() {
            SimulatedDisk.CrashMode mode = SimulatedDisk.CrashMode.values()[rnd.nextInt(3)];
            history.add(mode + "@" + store.commitLogWritePosition() + "/acked" + durable.size());
            disk.crash(mode);
            totals.crashes++;
            inFlight.clear(); // never answered: unknown outcome
            store.abandon();
            open();
            check();
        }

        private void flip() {
            long end = store.commitLogWritePosition();
            long min = store.commitLogMinOffset();
            if (end - min < 64) {
                return;
            }
            long at = min + (long) (rnd.nextDouble() * (end - min));
            long segBase = at / cfg.commitLogSegmentBytes() * cfg.commitLogSegmentBytes();
            disk.flipBit(cfg.commitLogDir().resolve(MappedSegment.fileName(segBase)), (int) (at - segBase), rnd.nextInt(8));
            flipped.add(at);
            totals.flips++;
        }

        private boolean hitByFlip(long[] where) {
            for (long f : flipped) {
                if (f >= where[0] && f < where[0] + where[1]) {
                    return true;
                }
            }
            return false;
        }

        /** What a read at {@code offset} returns now, and what the log holds at {@code logOffset}. */
        private String describe(String topic, int q, long offset, long logOffset) {
            GetResult r = store.getCopies(topic, q, offset, 1, 0, MessageFilter.ALL);
            StringBuilder sb = new StringBuilder(r.status() + " next " + r.nextBeginOffset());
            for (ByteBuffer b : r.records()) {
                sb.append(" id ").append(idOf(b)).append(" at ").append(b.getLong(MessageRecord.POS_PHYSICAL_OFFSET));
            }
            ByteBuffer at = store.recordAt(logOffset);
            sb.append("; the log at ").append(logOffset).append(" holds ").append(at == null ? "no record" : "id " + idOf(at));
            return sb.toString();
        }

        /**
         * After a start, every entry of every queue below its max is written (a record's or a placeholder's):
         * the next start finds a queue's end as the first empty entry, so an empty one below the max would hide
         * every entry after it.
         */
        private void assertNoEmptyEntryBelowMax() {
            ConsumeQueue.Entry e = new ConsumeQueue.Entry();
            for (ConsumeQueue cq : store.allQueues()) {
                for (long o = cq.minOffset(); o < cq.maxOffset(); o++) {
                    assertThat(cq.read(o, e) && e.size > 0)
                        .as("queue %s-%d entry %d below max %d is written; history %s", cq.topic(), cq.queueId(), o,
                            cq.maxOffset(), history)
                        .isTrue();
                }
            }
        }

        /** Reads every queue and checks what is served against what was sent and acknowledged. */
        private void check() {
            Map<Integer, Long> servedAt = new HashMap<>();
            for (String topic : topics) {
                for (int q = 0; q < queues; q++) {
                    long min = Math.max(0, store.minOffset(topic, q));
                    long max = store.maxOffset(topic, q);
                    int lastId = -1;
                    for (long o = min; o < max; ) {
                        GetResult r = store.getCopies(topic, q, o, 16, 0, MessageFilter.ALL);
                        assertThat(r.nextBeginOffset()).as("reads advance").isGreaterThan(o);
                        for (ByteBuffer b : r.records()) {
                            int id = idOf(b);
                            assertThat(id).as("a served record is one that was sent").isBetween(0, nextId - 1);
                            Sent s = sent.get(id);
                            assertThat(refused).as("a send answered as not stored is never served").doesNotContain(id);
                            assertThat(MessageRecord.topicOf(b) + "-" + b.getInt(MessageRecord.POS_QUEUE_ID))
                                .isEqualTo(s.topic() + "-" + s.queueId()).isEqualTo(topic + "-" + q);
                            assertThat(bodyOf(b)).as("record %d served intact", id).isEqualTo(s.body());
                            assertThat(id).as("queue order").isGreaterThan(lastId);
                            lastId = id;
                            assertThat(servedAt.put(id, b.getLong(MessageRecord.POS_QUEUE_OFFSET)))
                                .as("record %d served once", id).isNull();
                        }
                        o = r.nextBeginOffset();
                    }
                }
            }
            for (Map.Entry<Integer, long[]> e : durable.entrySet()) {
                if (hitByFlip(e.getValue())) {
                    continue;
                }
                if (java.util.Objects.equals(servedAt.get(e.getKey()), e.getValue()[2])) {
                    continue;
                }
                Sent s = sent.get(e.getKey());
                throw new AssertionError(String.format("acknowledged record %d (%s-%d at commit-log offset %d, %d bytes) "
                        + "is not served at queue offset %d but at %s; queue now [%d, %d), log [%d, %d), damage stepped "
                        + "over %s, history %s, read there: %s",
                    e.getKey(), s.topic(), s.queueId(), e.getValue()[0], e.getValue()[1], e.getValue()[2],
                    servedAt.get(e.getKey()), store.minOffset(s.topic(), s.queueId()),
                    store.maxOffset(s.topic(), s.queueId()), store.commitLogMinOffset(), store.commitLogWritePosition(),
                    store.damagedAtRecovery(), history, describe(s.topic(), s.queueId(), e.getValue()[2], e.getValue()[0])));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static StoreConfig config(FlushMode mode, int cqEntriesPerFile, int maxMessageBytes) {
        return new StoreConfig(ROOT, 64 * 1024, cqEntriesPerFile, maxMessageBytes, mode, 3_600_000, 500,
            RetentionConfig.DEFAULT, 64, 64, 4, 10_000);
    }

    static byte[] body(int id, int size) {
        byte[] b = new byte[Math.max(4, size)];
        ByteBuffer.wrap(b).putInt(id);
        for (int i = 4; i < b.length; i++) {
            b[i] = (byte) (id * 31 + i);
        }
        return b;
    }

    static MessageDraft draft(String topic, int queueId, byte[] body) {
        MessageDraft d = new MessageDraft();
        d.topic(topic);
        d.queueId(queueId);
        d.body(body, 0, body.length);
        d.bornTimestamp(1);
        d.storePort(10911);
        d.storeHost(new byte[] {127, 0, 0, 1});
        return d;
    }

    static byte[] bodyOf(ByteBuffer record) {
        return MessageRecord.decode(record, record.position()).body;
    }

    static int idOf(ByteBuffer record) {
        return ByteBuffer.wrap(bodyOf(record)).getInt();
    }

    /** A clock the simulation moves. */
    static final class FakeClock implements Clock {
        private long now = 1_700_000_000_000L;

        void advance(long millis) {
            now += millis;
        }

        @Override
        public long millis() {
            return now;
        }
    }
}
