package io.quiver.broker.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.failover.RoleDecision.Change;
import io.quiver.broker.failover.RoleDecision.Role;
import org.junit.jupiter.api.Test;

/** Unit tier: the role a controller-mode broker takes from the controllers' view of its group. */
class RoleDecisionTest {
    @Test
    void electedMastersPromoteOthersFollowAndDeposedOnesWait() {
        assertThat(RoleDecision.decide(2, Role.REPLICA, 1, "h1:2", 2, "h2:2", 2)).isEqualTo(new Change(Role.MASTER, null, 2));
        assertThat(RoleDecision.decide(2, Role.MASTER, 2, null, 2, "h2:2", 2).keep()).isTrue();
        assertThat(RoleDecision.decide(2, Role.MASTER, 1, null, 2, "h2:2", 3))
            .as("re-elected in a newer epoch: a new term").isEqualTo(new Change(Role.MASTER, null, 3));

        assertThat(RoleDecision.decide(3, Role.REPLICA, 1, "h1:2", 2, "h2:2", 2))
            .isEqualTo(new Change(Role.REPLICA, "h2:2", 2));
        assertThat(RoleDecision.decide(3, Role.REPLICA, 2, "h2:2", 2, "h2:2", 2).keep()).isTrue();
        assertThat(RoleDecision.decide(3, Role.NONE, 0, null, 2, "h2:2", 2)).isEqualTo(new Change(Role.REPLICA, "h2:2", 2));
        assertThat(RoleDecision.decide(1, Role.MASTER, 1, null, 2, "h2:2", 2))
            .as("a deposed master follows its successor").isEqualTo(new Change(Role.REPLICA, "h2:2", 2));

        assertThat(RoleDecision.decide(1, Role.MASTER, 1, null, -1, null, 2))
            .as("deposed, nobody elected").isEqualTo(new Change(Role.REPLICA, null, 2));
        assertThat(RoleDecision.decide(3, Role.REPLICA, 1, "h1:2", -1, null, 2))
            .as("stops following the deposed master").isEqualTo(new Change(Role.REPLICA, null, 2));
        assertThat(RoleDecision.decide(3, Role.REPLICA, 2, null, -1, null, 2).keep()).isTrue();
    }
}
