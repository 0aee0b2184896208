package io.quiver.broker.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.MessageQueue;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: an orderly-consumption lock belongs to one client until it unlocks, leaves, or lets its lease lapse. */
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
}
