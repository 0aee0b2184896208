package io.quiver.broker.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.failover.InSyncPlanner.ForgetJoining;
import io.quiver.broker.failover.InSyncPlanner.Join;
import io.quiver.broker.failover.InSyncPlanner.Nothing;
import io.quiver.broker.failover.InSyncPlanner.Propose;
import io.quiver.broker.failover.InSyncPlanner.Replica;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: how a controller-mode master grows and shrinks its in-sync set. */
class InSyncPlannerTest {
    private final InSyncPlanner planner = new InSyncPlanner(1, 3_000, 1_024);
    private static final Set<Long> REGISTERED = Set.of(1L, 2L, 3L);
    private static final Replica CAUGHT_UP = new Replica(5_000, 0, 100);

    @Test
    void aMemberThatIsGoneOrStuckBehindLeavesFirst() {
        assertThat(planner.next(Set.of(1L, 2L, 3L), Map.of(), Map.of(2L, CAUGHT_UP), REGISTERED))
            .isEqualTo(new Propose(Set.of(1L, 2L)));
        assertThat(planner.next(Set.of(1L, 2L, 3L), Map.of(), Map.of(2L, CAUGHT_UP, 3L, new Replica(4_000, 1_000, 3_001)),
            REGISTERED)).as("behind and silent past haMaxTimeSlaveNotCatchup").isEqualTo(new Propose(Set.of(1L, 2L)));
        assertThat(planner.next(Set.of(1L, 2L, 3L), Map.of(), Map.of(2L, CAUGHT_UP, 3L, new Replica(4_000, 1_000, 2_000)),
            REGISTERED)).as("behind, but confirming recently").isEqualTo(new Nothing());
        assertThat(planner.next(Set.of(1L, 2L), Map.of(), Map.of(2L, new Replica(5_000, 0, 60_000)), REGISTERED))
            .as("idle but caught up").isEqualTo(new Nothing());
    }

    @Test
    void aReplicaJoinsOnlyAfterConfirmingTheEndItHadWhenSendsStartedWaitingForIt() {
        assertThat(planner.next(Set.of(1L), Map.of(), Map.of(2L, new Replica(4_000, 2_000, 10)), REGISTERED))
            .as("too far behind").isEqualTo(new Nothing());
        assertThat(planner.next(Set.of(1L), Map.of(), Map.of(2L, new Replica(4_000, 500, 10)), REGISTERED))
            .isEqualTo(new Join(2));
        assertThat(planner.next(Set.of(1L), Map.of(2L, Long.MAX_VALUE), Map.of(2L, CAUGHT_UP), REGISTERED))
            .as("the end to confirm is not known yet").isEqualTo(new Nothing());
        assertThat(planner.next(Set.of(1L), Map.of(2L, 6_000L), Map.of(2L, CAUGHT_UP), REGISTERED))
            .isEqualTo(new Nothing());
        assertThat(planner.next(Set.of(1L), Map.of(2L, 5_000L), Map.of(2L, CAUGHT_UP), REGISTERED))
            .isEqualTo(new Propose(Set.of(1L, 2L)));
        assertThat(planner.next(Set.of(1L), Map.of(2L, 5_000L), Map.of(3L, CAUGHT_UP), REGISTERED))
            .as("the joiner disconnected").isEqualTo(new ForgetJoining(Set.of(2L)));
        assertThat(planner.next(Set.of(1L), Map.of(), Map.of(9L, CAUGHT_UP), REGISTERED))
            .as("not registered with the controllers").isEqualTo(new Nothing());
    }
}
