package io.quiver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.controller.ControllerCommand.AlterInSync;
import io.quiver.controller.ControllerCommand.Elect;
import io.quiver.controller.ControllerCommand.Register;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: the controller's rules for registration, election and the in-sync set, and their determinism. */
class ControllerStateTest {
    private static final String C = "DefaultCluster";
    private static final String B = "broker-a";

    private static ControllerState threeReplicas() {
        ControllerState s = new ControllerState();
        for (int i = 0; i < 3; i++) {
            assertThat(s.apply(new Register(C, B, "10.0.0." + i + ":10911", i)).assignedId()).isEqualTo(i);
        }
        return s;
    }

    private static GroupState group(ControllerState s) {
        return s.group(C, B).orElseThrow();
    }

    @Test
    void registrationKeepsAPreferredFreeIdAndAReturningBrokersId() {
        ControllerState s = new ControllerState();
        assertThat(s.apply(new Register(C, B, "h1:1", 2)).assignedId()).isEqualTo(2);
        assertThat(s.apply(new Register(C, B, "h2:1", 2)).assignedId()).as("2 is taken: the lowest free id from 1").isEqualTo(1);
        assertThat(s.apply(new Register(C, B, "h1:1", 0)).assignedId()).as("h1 comes back").isEqualTo(2);
        assertThat(group(s).replicas()).containsOnly(Map.entry(1L, "h2:1"), Map.entry(2L, "h1:1"));
        assertThat(s.apply(new Elect(C, "unknown", Map.of(0L, 0L), false)).refusal()).contains("unknown");
    }

    @Test
    void aNewGroupElectsTheLongestLogAndTheInSyncSetStartsWithTheMasterAlone() {
        ControllerState s = threeReplicas();
        ControllerState.Result r = s.apply(new Elect(C, B, Map.of(0L, 100L, 1L, 300L, 2L, 300L), false));
        assertThat(r.accepted()).isTrue();
        assertThat(r.group().masterId()).as("longest log, lowest id on a tie").isEqualTo(1);
        assertThat(r.group().masterEpoch()).isEqualTo(1);
        assertThat(r.group().inSync()).containsExactly(1L);
        assertThat(s.apply(new Elect(C, B, Map.of(1L, 300L), false)).refusal()).contains("is the master and alive");
    }

    @Test
    void onlyAnInSyncReplicaReplacesALostMasterUnlessUncleanElectionIsAllowed() {
        ControllerState s = threeReplicas();
        s.apply(new Elect(C, B, Map.of(0L, 0L, 1L, 0L, 2L, 0L), false)); // 0 is master, epoch 1
        assertThat(s.apply(new AlterInSync(C, B, 0, 1, Set.of(0L, 1L))).accepted()).isTrue();

        // the master is gone; 2 has the longest log but is not in sync: 1 is chosen
        GroupState g = s.apply(new Elect(C, B, Map.of(1L, 500L, 2L, 900L), false)).group();
        assertThat(g.masterId()).isEqualTo(1);
        assertThat(g.masterEpoch()).isEqualTo(2);
        assertThat(g.inSync()).containsExactly(1L);

        // 1 is lost too and only 2 (out of sync) is alive: no master, but the epoch moves on (1 is fenced)
        g = s.apply(new Elect(C, B, Map.of(2L, 900L), false)).group();
        assertThat(g.hasMaster()).isFalse();
        assertThat(g.masterEpoch()).isEqualTo(3);
        assertThat(g.inSync()).as("kept, so a returning member can be elected").containsExactly(1L);
        assertThat(s.apply(new Elect(C, B, Map.of(2L, 900L), false)).refusal()).contains("enableElectUncleanMaster");

        // allowed to lose data: 2 becomes master
        g = s.apply(new Elect(C, B, Map.of(2L, 900L), true)).group();
        assertThat(g.masterId()).isEqualTo(2);
        assertThat(g.masterEpoch()).isEqualTo(4);
    }

    @Test
    void onlyTheCurrentMasterOfTheCurrentEpochChangesTheInSyncSet() {
        ControllerState s = threeReplicas();
        s.apply(new Elect(C, B, Map.of(0L, 0L, 1L, 0L, 2L, 0L), false));
        assertThat(s.apply(new AlterInSync(C, B, 0, 1, Set.of(0L, 1L, 2L))).accepted()).isTrue();
        long inSyncEpoch = group(s).inSyncEpoch();
        assertThat(s.apply(new AlterInSync(C, B, 1, 1, Set.of(1L))).refusal()).contains("is not the master");
        s.apply(new Elect(C, B, Map.of(1L, 0L), false)); // 0 lost: 1 is master of epoch 2
        assertThat(s.apply(new AlterInSync(C, B, 0, 1, Set.of(0L))).refusal()).as("the deposed master")
            .contains("epoch 1 is not the master");
        assertThat(s.apply(new AlterInSync(C, B, 1, 2, Set.of(0L))).refusal()).contains("must contain its master");
        assertThat(s.apply(new AlterInSync(C, B, 1, 2, Set.of(1L, 7L))).refusal()).contains("not registered");
        assertThat(group(s).inSyncEpoch()).isGreaterThan(inSyncEpoch); // the election reset it to {1}
        assertThat(group(s).inSync()).containsExactly(1L);
    }

    /** The same commands in the same order give the same state on every controller (no clock, no randomness). */
    @Test
    void applyingTheSameCommandsGivesTheSameStateEverywhere() {
        Random rnd = new Random(11);
        List<ControllerCommand> log = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String broker = "b" + rnd.nextInt(4);
            long id = rnd.nextInt(5);
            log.add(switch (rnd.nextInt(3)) {
                case 0 -> new Register(C, broker, "h" + rnd.nextInt(6) + ":1", id - 1);
                case 1 -> new Elect(C, broker, Map.of(id, (long) rnd.nextInt(1000), (id + 1) % 5, (long) rnd.nextInt(1000)),
                    rnd.nextInt(10) == 0);
                default -> new AlterInSync(C, broker, id, rnd.nextInt(4), Set.copyOf(List.of(id, (long) rnd.nextInt(5))));
            });
        }
        ControllerState a = new ControllerState();
        ControllerState b = new ControllerState();
        Map<Class<?>, Integer> accepted = new java.util.HashMap<>();
        for (ControllerCommand c : log) {
            ControllerState.Result r = a.apply(c);
            assertThat(b.apply(c)).isEqualTo(r);
            if (r.accepted()) {
                accepted.merge(c.getClass(), 1, Integer::sum);
            }
        }
        assertThat(accepted).as("the log exercises every rule").containsKeys(Register.class, Elect.class,
            AlterInSync.class);
        for (int i = 0; i < 4; i++) {
            assertThat(b.group(C, "b" + i)).isEqualTo(a.group(C, "b" + i));
            a.group(C, "b" + i).ifPresent(g -> {
                assertThat(g.inSync().isEmpty() || g.replicas().keySet().containsAll(g.inSync())).isTrue();
                assertThat(!g.hasMaster() || g.inSync().contains(g.masterId())).as("a master is in its own set").isTrue();
            });
        }
        assertThat(a.groupCount()).isEqualTo(4);
    }
}
