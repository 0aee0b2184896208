package io.quiver.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tier, controlled clock: who is alive, and which groups need an election, feeding the state's rules. */
class BrokerLivenessTest {
    private static final long TIMEOUT = 10_000;

    private static ControllerState groupWithMaster0() {
        ControllerState s = new ControllerState();
        for (int i = 0; i < 3; i++) {
            s.apply(new ControllerCommand.Register("C", "b", "h" + i + ":1", i));
        }
        s.apply(new ControllerCommand.Elect("C", "b", Map.of(0L, 0L, 1L, 0L, 2L, 0L), false)); // 0, epoch 1
        s.apply(new ControllerCommand.AlterInSync("C", "b", 0, 1, java.util.Set.of(0L, 1L, 2L)));
        return s;
    }

    @Test
    void aSilentMasterIsReplacedByTheLiveInSyncReplicaWithTheLongestLog() {
        ControllerState s = groupWithMaster0();
        BrokerLiveness live = new BrokerLiveness(TIMEOUT, 0);
        for (long t = 0; t <= 30_000; t += 1_000) {
            live.heartbeat("C", "b", 1, 500 + t, t);
            live.heartbeat("C", "b", 2, 400 + t, t);
            if (t <= 12_000) {
                live.heartbeat("C", "b", 0, 600 + t, t); // the master stops at 12 s
            }
            List<ControllerCommand.Elect> elections = live.elections(s.groups(), false, t);
            if (t < 22_000) {
                assertThat(elections).as("at %d ms the master is alive (or the controller just started)", t).isEmpty();
            } else {
                assertThat(elections).hasSize(1);
                GroupState g = s.apply(elections.get(0)).group();
                assertThat(g.masterId()).isEqualTo(1); // longest log among the live in-sync replicas
                assertThat(g.masterEpoch()).isEqualTo(2);
                assertThat(live.elections(s.groups(), false, t)).as("1 is alive: nothing more to do").isEmpty();
                return;
            }
        }
    }

    @Test
    void nothingIsJudgedDuringTheFirstTimeoutAndAGroupWithNobodyAliveWaits() {
        ControllerState s = groupWithMaster0();
        BrokerLiveness live = new BrokerLiveness(TIMEOUT, 100_000);
        assertThat(live.elections(s.groups(), false, 105_000)).as("a new leader waits one timeout").isEmpty();
        assertThat(live.elections(s.groups(), false, 111_000)).as("nobody alive: no one to elect").isEmpty();
        live.heartbeat("C", "b", 2, 10, 111_000);
        live.heartbeat("C", "b", 9, 99, 111_000); // not a registered replica: never a candidate
        assertThat(live.elections(s.groups(), true, 111_500)).singleElement()
            .satisfies(e -> assertThat(e.alive()).containsOnlyKeys(2L));
    }

    @Test
    void aNewGroupWaitsForAllItsReplicasOrOneTimeoutBeforeItsFirstElection() {
        ControllerState s = new ControllerState();
        for (int i = 1; i <= 3; i++) {
            s.apply(new ControllerCommand.Register("C", "b", "h" + i + ":1", i));
        }
        BrokerLiveness live = new BrokerLiveness(TIMEOUT, 0);
        live.heartbeat("C", "b", 1, 100, 20_000);
        assertThat(live.elections(s.groups(), false, 20_500)).as("only 1 of 3 heard from").isEmpty();
        live.heartbeat("C", "b", 2, 900, 21_000);
        live.heartbeat("C", "b", 3, 300, 21_000);
        assertThat(live.elections(s.groups(), false, 21_000)).singleElement()
            .satisfies(e -> assertThat(s.apply(e).group().masterId()).as("the longest of all three").isEqualTo(2));

        ControllerState lonely = new ControllerState();
        lonely.apply(new ControllerCommand.Register("C", "x", "h1:1", 1));
        lonely.apply(new ControllerCommand.Register("C", "x", "h2:1", 2));
        live.heartbeat("C", "x", 1, 5, 40_000);
        assertThat(live.elections(lonely.groups(), false, 49_000)).isEmpty();
        live.heartbeat("C", "x", 1, 5, 49_500);
        assertThat(live.elections(lonely.groups(), false, 50_000)).as("one timeout later, whoever is alive")
            .singleElement().satisfies(e -> assertThat(e.alive()).containsOnlyKeys(1L));
    }

    @Test
    void theTrackedBrokersAreBoundedAndLongSilentOnesForgotten() {
        BrokerLiveness live = new BrokerLiveness(TIMEOUT, 0);
        for (int i = 0; i < BrokerLiveness.MAX_BROKERS + 5; i++) {
            live.heartbeat("C", "g" + i, 0, 0, 0);
        }
        assertThat(live.ignored()).isEqualTo(5);
        live.forgetLongSilent(10 * TIMEOUT);
        live.heartbeat("C", "late", 0, 0, 10 * TIMEOUT);
        assertThat(live.ignored()).isEqualTo(5);
        assertThat(live.alive("C", "late", 10 * TIMEOUT)).containsOnlyKeys(0L);
        assertThatThrownBy(() -> new BrokerLiveness(0, 0)).hasMessageContaining("positive");
    }
}
