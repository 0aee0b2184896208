package io.quiver.broker.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.MessageQueue;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: an orderly-consumption lock belongs to one client until it unlocks, leaves, or lets its lease lapse;
 * lapsed locks are forgotten by expire, and the table never holds more than its bound.
 */
@Timeout(20)
class QueueLockTableTest {
    static final long T0 = 1_700_000_000_000L;
    static final MessageQueue Q0 = new MessageQueue("T", "broker-a", 0);
    static final MessageQueue Q1 = new MessageQueue("T", "broker-a", 1);

    final QueueLockTable locks = new QueueLockTable(60_000);

    @Test
    void aHeldLockIsRefusedToOthersUntilItsLeaseLapses() {
        assertThat(locks.lock("G", "C1", Set.of(Q0, Q1), T0)).containsExactlyInAnyOrder(Q0, Q1);
        assertThat(locks.lock("G", "C2", Set.of(Q0), T0 + 60_000)).as("exactly at the lease: still held").isEmpty();
        assertThat(locks.lock("G", "C1", Set.of(Q0), T0 + 30_000)).as("renewed").containsExactly(Q0);
        assertThat(locks.lock("G", "C2", Set.of(Q0, Q1), T0 + 60_001)).as("Q1 lapsed, Q0 was renewed")
            .containsExactly(Q1);
        assertThat(locks.lock("G", "C2", Set.of(Q0), T0 + 90_001)).containsExactly(Q0);
    }

    @Test
    void locksAreKeptPerGroup() {
        assertThat(locks.lock("G1", "C1", Set.of(Q0), T0)).containsExactly(Q0);
        assertThat(locks.lock("G2", "C2", Set.of(Q0), T0)).containsExactly(Q0);
    }

    @Test
    void onlyTheHolderUnlocksAndReleaseAllFreesEveryGroup() {
        locks.lock("G1", "C1", Set.of(Q0), T0);
        locks.lock("G2", "C1", Set.of(Q1), T0);
        locks.unlock("G1", "C2", Set.of(Q0));
        assertThat(locks.lock("G1", "C2", Set.of(Q0), T0)).isEmpty();

        locks.releaseAll("C1");
        assertThat(locks.lock("G1", "C2", Set.of(Q0), T0)).containsExactly(Q0);
        assertThat(locks.lock("G2", "C2", Set.of(Q1), T0)).containsExactly(Q1);

        locks.unlock("G1", "C2", Set.of(Q0));
        assertThat(locks.lock("G1", "C3", Set.of(Q0), T0)).containsExactly(Q0);
    }

    /** Found by FrameFuzzIT: locks for ever new groups and queues were kept for good, lapsed or not. */
    @Test
    void lapsedLocksAreForgottenAndTheTableStaysWithinItsBound() {
        QueueLockTable small = new QueueLockTable(60_000, 3);
        assertThat(small.lock("G1", "C1", Set.of(Q0, Q1), T0)).hasSize(2);
        assertThat(small.lock("G2", "C2", Set.of(Q0, Q1), T0 + 10_000)).as("one more fits the bound of 3").hasSize(1);
        assertThat(small.size()).isEqualTo(3);
        assertThat(small.lock("G1", "C1", Set.of(Q0, Q1), T0 + 20_000)).as("renewals pass at the bound")
            .containsExactlyInAnyOrder(Q0, Q1);
        assertThat(small.lock("G3", "C3", Set.of(Q0), T0 + 20_000)).as("a new lock waits at the bound").isEmpty();

        assertThat(small.expire(T0 + 70_001)).as("G2's lock lapsed; G1's were renewed").isEqualTo(1);
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.lock("G3", "C3", Set.of(Q0), T0 + 70_001)).containsExactly(Q0);
        assertThat(small.expire(T0 + 200_000)).isEqualTo(3);
        assertThat(small.size()).isZero();
    }
}
