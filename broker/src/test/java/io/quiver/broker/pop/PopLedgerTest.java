package io.quiver.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.broker.pop.PopLedger.AckOutcome;
import io.quiver.broker.pop.PopLedger.Checkpoint;
import io.quiver.broker.pop.PopLedger.Queue;
import org.junit.jupiter.api.Test;

/** Unit tier: what POP handed out, what came back, what falls due, and where the group's offset may move. */
class PopLedgerTest {
    private static final Queue Q = new Queue("G", "T", 0);

    @Test
    void popsMoveOnAcksEndCheckpointsAndTheCommittableOffsetFollowsTheOldestOpenOne() {
        PopLedger l = new PopLedger();
        assertThat(l.nextOffset(Q, 10)).as("a new queue starts where the group committed").isEqualTo(10);
        Checkpoint a = l.pop(Q, new long[] {10, 11, 12}, 13, 1_000, 30_000, false);
        Checkpoint b = l.pop(Q, new long[] {13, 15}, 16, 1_100, 30_000, false); // 14 was filtered out
        assertThat(l.nextOffset(Q, 0)).isEqualTo(16);
        assertThat(l.committable(Q)).isEqualTo(10);

        assertThat(l.ack(b.id(), 13)).isEqualTo(AckOutcome.ACKED);
        assertThat(l.ack(b.id(), 15)).isEqualTo(AckOutcome.CHECKPOINT_DONE);
        assertThat(l.committable(Q)).as("the older checkpoint is still open").isEqualTo(10);
        assertThat(l.ack(a.id(), 11)).isEqualTo(AckOutcome.ACKED);
        assertThat(l.ack(a.id(), 11)).isEqualTo(AckOutcome.ALREADY);
        assertThat(l.ack(a.id(), 14)).as("not delivered by it").isEqualTo(AckOutcome.UNKNOWN);
        assertThat(l.ack(a.id(), 10)).isEqualTo(AckOutcome.ACKED);
        assertThat(l.ack(a.id(), 12)).isEqualTo(AckOutcome.CHECKPOINT_DONE);
        assertThat(l.committable(Q)).isEqualTo(16);
        assertThat(l.ack(a.id(), 12)).as("the checkpoint ended").isEqualTo(AckOutcome.UNKNOWN);
        assertThat(l.openCheckpoints()).isZero();
        assertThat(l.committable(new Queue("G", "T", 1))).as("never seen").isEqualTo(-1);
    }

    @Test
    void unacknowledgedMessagesFallDueAfterTheirInvisibleTimeAndReviveOnce() {
        PopLedger l = new PopLedger();
        l.nextOffset(Q, 0);
        Checkpoint a = l.pop(Q, new long[] {0, 1}, 2, 1_000, 5_000, false);
        Checkpoint b = l.pop(Q, new long[] {2}, 3, 2_000, 1_000, false);
        assertThat(l.nextDue()).isEqualTo(3_000);
        assertThat(l.due(2_999, 10)).isEmpty();
        assertThat(l.due(3_000, 10)).extracting(Checkpoint::id).containsExactly(b.id());
        l.ack(a.id(), 0);
        assertThat(l.due(6_000, 10)).extracting(Checkpoint::id).containsExactly(b.id(), a.id());
        assertThat(a.unacked()).containsExactly(1L);
        assertThat(l.revived(b.id())).isTrue();
        assertThat(l.revived(b.id())).as("once").isFalse();
        assertThat(l.revived(a.id())).isTrue();
        assertThat(l.committable(Q)).as("redelivered counts as done").isEqualTo(3);
        assertThat(l.nextDue()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aFifoPopHoldsItsQueueAndOnExpiryTheQueueStartsAgainAtItsFirstUnacknowledgedOffset() {
        PopLedger l = new PopLedger();
        l.nextOffset(Q, 0);
        Checkpoint a = l.pop(Q, new long[] {0, 1, 2}, 3, 1_000, 5_000, true);
        assertThat(l.heldByOrder(Q)).isTrue();
        l.ack(a.id(), 0);
        l.revived(a.id());
        assertThat(l.heldByOrder(Q)).isFalse();
        assertThat(l.nextOffset(Q, 0)).as("1 and 2 come back in order").isEqualTo(1);
        assertThat(l.committable(Q)).isEqualTo(1);
    }

    @Test
    void aFifoQueueCountsHowOftenEachMessageCameBackUntilItIsDone() {
        PopLedger l = new PopLedger();
        l.nextOffset(Q, 0);
        Checkpoint a = l.pop(Q, new long[] {0, 1, 2}, 3, 1_000, 5_000, true);
        l.ack(a.id(), 0);
        l.revived(a.id());
        assertThat(l.redeliveries(Q, 0)).isZero();
        assertThat(l.redeliveries(Q, 1)).isEqualTo(1);
        assertThat(l.redeliveries(Q, 2)).isEqualTo(1);
        Checkpoint b = l.pop(Q, new long[] {1, 2}, 3, 7_000, 5_000, true);
        l.ack(b.id(), 1);
        l.revived(b.id());
        assertThat(l.redeliveries(Q, 2)).isEqualTo(2);
        assertThat(l.redeliveries(Q, 1)).as("done: no longer counted").isZero();
        Checkpoint c = l.pop(Q, new long[] {2}, 3, 13_000, 5_000, true);
        assertThat(l.ack(c.id(), 2)).isEqualTo(AckOutcome.CHECKPOINT_DONE);
        assertThat(l.redeliveries(Q, 2)).isZero();
        assertThat(l.heldByOrder(Q)).isFalse();
        Checkpoint plain = l.pop(new Queue("G", "T", 1), new long[] {0}, 1, 1_000, 5_000, false);
        l.revived(plain.id());
        assertThat(l.redeliveries(new Queue("G", "T", 1), 0)).as("counted for FIFO queues only").isZero();
    }

    @Test
    void aCheckpointWhoseEntryWasNotWrittenIsTakenBackAndItsMessagesPoppedAgain() {
        PopLedger l = new PopLedger();
        l.nextOffset(Q, 0);
        l.pop(Q, new long[] {0, 1}, 2, 1_000, 5_000, false);
        Checkpoint b = l.pop(Q, new long[] {2, 3}, 4, 1_000, 5_000, false);
        l.cancel(b.id());
        assertThat(l.checkpoint(b.id())).isNull();
        assertThat(l.nextOffset(Q, 0)).isEqualTo(2);
        assertThat(l.committable(Q)).isZero();
    }

    @Test
    void replayingARecordIsHarmlessAndBoundsHold() {
        PopLedger l = new PopLedger();
        l.nextOffset(Q, 0);
        Checkpoint a = l.pop(Q, new long[] {0}, 1, 1_000, 5_000, false);
        assertThat(l.pop(Q, new long[] {0}, 1, 1_000, 5_000, false)).isSameAs(a);
        assertThat(l.openCheckpoints()).isEqualTo(1);
        assertThat(l.pop(Q, new long[0], 7, 1_100, 5_000, false)).as("all filtered out").isNull();
        assertThat(l.nextOffset(Q, 0)).isEqualTo(7);
        assertThatThrownBy(() -> l.pop(Q, new long[] {9, 8}, 10, 1, 1, false)).hasMessageContaining("ascend");
        assertThatThrownBy(() -> l.pop(Q, new long[PopLedger.MAX_OFFSETS_PER_CHECKPOINT + 1], 10, 1, 1, false))
            .hasMessageContaining("at most");
        l.reset(Q, 100);
        assertThat(l.openCheckpoints()).isZero();
        assertThat(l.nextOffset(Q, 0)).isEqualTo(100);
        assertThat(l.hasRoom()).isTrue();
    }
}
