package io.quiver.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.broker.pop.PopLedger.CheckpointId;
import io.quiver.broker.pop.PopLedger.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Unit tier: pop log entries round-trip, replaying them rebuilds the ledger, and damaged ones are refused. */
class PopLogRecordTest {
    private static final Queue Q = new Queue("group-ä", "Topic", 3);

    @Test
    void everyKindRoundTrips() {
        CheckpointId id = new CheckpointId(Q, 1_000_000_000_000L, 1_700_000_000_000L);
        PopLogRecord.Pop pop = (PopLogRecord.Pop) PopLogRecord.decode(PopLogRecord.encode(
            new PopLogRecord.Pop(id, new long[] {1_000_000_000_000L, 1_000_000_000_001L, 1_000_000_000_900L},
                1_000_000_000_901L, 60_000, true)));
        assertThat(pop.id()).isEqualTo(id);
        assertThat(pop.offsets()).containsExactly(1_000_000_000_000L, 1_000_000_000_001L, 1_000_000_000_900L);
        assertThat(pop.scannedTo()).isEqualTo(1_000_000_000_901L);
        assertThat(pop.invisibleMillis()).isEqualTo(60_000);
        assertThat(pop.order()).isTrue();
        assertThat(PopLogRecord.decode(PopLogRecord.encode(new PopLogRecord.Ack(id, 1_000_000_000_001L))))
            .isEqualTo(new PopLogRecord.Ack(id, 1_000_000_000_001L));
        PopLogRecord.Acks acks = (PopLogRecord.Acks) PopLogRecord.decode(PopLogRecord.encode(
            new PopLogRecord.Acks(id, new long[] {1_000_000_000_001L, 1_000_000_000_005L, 1_000_000_000_300L})));
        assertThat(acks.id()).isEqualTo(id);
        assertThat(acks.offsets()).containsExactly(1_000_000_000_001L, 1_000_000_000_005L, 1_000_000_000_300L);
        assertThat(PopLogRecord.decode(PopLogRecord.encode(new PopLogRecord.Revived(id))))
            .isEqualTo(new PopLogRecord.Revived(id));
        assertThat(PopLogRecord.decode(PopLogRecord.encode(new PopLogRecord.Reset(id))))
            .isEqualTo(new PopLogRecord.Reset(id));
    }

    @Test
    void replayingTheLogRebuildsTheSameLedger() {
        Random rnd = new Random(7);
        PopLedger live = new PopLedger();
        List<byte[]> log = new ArrayList<>();
        List<CheckpointId> open = new ArrayList<>();
        long next = 0;
        long now = 1_000;
        live.nextOffset(Q, 0);
        for (int step = 0; step < 2_000; step++) {
            now += rnd.nextInt(50);
            int what = rnd.nextInt(3);
            if (what == 0 || open.isEmpty()) {
                int n = 1 + rnd.nextInt(4);
                long[] offsets = new long[n];
                for (int i = 0; i < n; i++) {
                    offsets[i] = next + i;
                }
                next += n;
                PopLogRecord r = new PopLogRecord.Pop(new CheckpointId(Q, offsets[0], now), offsets, next, 2_000, false);
                r.applyTo(live);
                log.add(PopLogRecord.encode(r));
                open.add(r.id());
            } else if (what == 1) {
                CheckpointId id = open.get(rnd.nextInt(open.size()));
                PopLedger.Checkpoint ck = live.checkpoint(id);
                if (ck == null) {
                    open.remove(id);
                    continue;
                }
                List<Long> left = ck.unacked();
                PopLogRecord r = left.size() > 1 && rnd.nextBoolean()
                    ? new PopLogRecord.Acks(id, new long[] {left.get(0), left.get(left.size() - 1)})
                    : new PopLogRecord.Ack(id, left.get(0));
                r.applyTo(live);
                log.add(PopLogRecord.encode(r));
            } else {
                for (PopLedger.Checkpoint ck : live.due(now, 4)) {
                    PopLogRecord r = new PopLogRecord.Revived(ck.id());
                    r.applyTo(live);
                    log.add(PopLogRecord.encode(r));
                }
            }
        }
        PopLedger replayed = new PopLedger();
        log.forEach(b -> PopLogRecord.decode(b).applyTo(replayed));
        assertThat(replayed.openCheckpoints()).isEqualTo(live.openCheckpoints()).isPositive();
        assertThat(replayed.committable(Q)).isEqualTo(live.committable(Q));
        assertThat(replayed.nextOffset(Q, 0)).isEqualTo(live.nextOffset(Q, 0));
        assertThat(replayed.nextDue()).isEqualTo(live.nextDue());
        for (CheckpointId id : open) {
            PopLedger.Checkpoint a = live.checkpoint(id);
            PopLedger.Checkpoint b = replayed.checkpoint(id);
            assertThat(b == null).isEqualTo(a == null);
            if (a != null) {
                assertThat(b.unacked()).isEqualTo(a.unacked());
            }
        }
    }

    @Test
    void damagedEntriesAreRefusedWithAReason() {
        byte[] ok = PopLogRecord.encode(new PopLogRecord.Ack(new CheckpointId(Q, 1, 2), 1));
        assertThatThrownBy(() -> PopLogRecord.decode(java.util.Arrays.copyOf(ok, ok.length - 3)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
        byte[] v = ok.clone();
        v[0] = 9;
        assertThatThrownBy(() -> PopLogRecord.decode(v)).hasMessageContaining("version 9");
        byte[] k = ok.clone();
        k[1] = 7;
        assertThatThrownBy(() -> PopLogRecord.decode(k)).hasMessageContaining("kind 7");
    }
}
