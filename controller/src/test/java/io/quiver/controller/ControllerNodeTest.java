package io.quiver.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier (loopback): controllers configured with RocketMQ-style keys decide together and survive restarts. */
@Timeout(120)
class ControllerNodeTest {
    @TempDir
    Path dir;

    private final List<ControllerNode> nodes = new ArrayList<>();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Map<String, String> conf(String peers, int self) {
        return Map.of("controllerPeers", peers, "controllerSelfId", "n" + self,
            "controllerStorePath", dir.resolve("n" + self).toString(), "controllerSnapshotThreshold", "50");
    }

    @AfterEach
    void stop() {
        nodes.forEach(ControllerNode::close);
    }

    @Test
    void threeControllersDecideTogetherAndARestartedOneRecoversItsState() throws Exception {
        String peers = "n0-127.0.0.1:" + freePort() + ";n1-127.0.0.1:" + freePort() + ";n2-127.0.0.1:" + freePort();
        for (int i = 0; i < 3; i++) {
            nodes.add(new ControllerNode(ControllerConfig.parse(conf(peers, i))).start());
        }
        // any controller proposes; Ratis takes the command to the leader
        for (int i = 0; i < 3; i++) {
            ControllerState.Result r = nodes.get(i).propose(new ControllerCommand.Register("C", "broker-a",
                "10.0.0." + i + ":10911", i)).get(30, TimeUnit.SECONDS);
            assertThat(r.assignedId()).isEqualTo(i);
        }
        ControllerState.Result elected = nodes.get(2).propose(new ControllerCommand.Elect("C", "broker-a",
            Map.of(0L, 5L, 1L, 9L, 2L, 1L), false)).get(30, TimeUnit.SECONDS);
        assertThat(elected.group().masterId()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(n ->
            n.group("C", "broker-a").map(GroupState::masterId).orElse(-2L) == 1));
        assertThat(nodes.stream().filter(ControllerNode::isLeader).count()).isEqualTo(1);

        nodes.get(0).close(); // a restart on the same storage
        ControllerNode again = new ControllerNode(ControllerConfig.parse(conf(peers, 0))).start();
        nodes.set(0, again);
        await().atMost(Duration.ofSeconds(20)).until(() -> again.group("C", "broker-a").map(GroupState::masterEpoch)
            .orElse(0L) == 1);
        assertThat(again.group("C", "broker-a").orElseThrow()).isEqualTo(elected.group());
    }

    @Test
    void theLeaderReplacesASilentMasterWithinSecondsAndEveryControllerAgrees() throws Exception {
        String peers = "n0-127.0.0.1:" + freePort() + ";n1-127.0.0.1:" + freePort() + ";n2-127.0.0.1:" + freePort();
        for (int i = 0; i < 3; i++) {
            Map<String, String> kv = new java.util.HashMap<>(conf(peers, i));
            kv.put("controllerHeartBeatTimeoutMills", "1500");
            kv.put("scanNotActiveBrokerInterval", "200");
            nodes.add(new ControllerNode(ControllerConfig.parse(kv)).start());
        }
        for (int i = 0; i < 3; i++) {
            nodes.get(0).propose(new ControllerCommand.Register("C", "g", "10.0.0." + i + ":10911", i)).get(30, TimeUnit.SECONDS);
        }
        Map<Long, Long> logEnds = Map.of(0L, 100L, 1L, 300L, 2L, 200L);
        java.util.Set<Long> beating = java.util.concurrent.ConcurrentHashMap.newKeySet();
        beating.addAll(logEnds.keySet());
        java.util.concurrent.ScheduledExecutorService brokers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            brokers.scheduleAtFixedRate(() -> beating.forEach(id ->
                nodes.forEach(n -> n.heartbeat("C", "g", id, logEnds.get(id)))), 0, 200, TimeUnit.MILLISECONDS);
            // the group never had a master: the leader elects the longest log once it has waited a timeout
            await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n ->
                n.group("C", "g").map(GroupState::masterId).orElse(-2L) == 1));
            nodes.get(1).propose(new ControllerCommand.AlterInSync("C", "g", 1, 1, java.util.Set.of(0L, 1L, 2L)))
                .get(30, TimeUnit.SECONDS);

            long t0 = System.nanoTime();
            beating.remove(1L); // the master goes silent
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> nodes.stream()
                .allMatch(n -> n.group("C", "g").map(g -> g.masterEpoch() == 2 && g.masterId() == 2).orElse(false)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("silence to a new master on every controller").isLessThan(5_000);
            System.out.printf("controller failover: master silent -> new master on all controllers in %d ms%n", ms);
        } finally {
            brokers.shutdownNow();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of())).hasMessageContaining("controllerPeers is required");
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "n0-h:1;n0-h:2",
            "controllerSelfId", "n0"))).hasMessageContaining("names n0 twice");
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "n0-h:99999", "controllerSelfId", "n0")))
            .hasMessageContaining("no valid port");
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "h:1", "controllerSelfId", "n0")))
            .hasMessageContaining("is not id-host:port");
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "n0-h:1", "controllerSelfId", "n3")))
            .hasMessageContaining("controllerSelfId 'n3' is not one of controllerPeers [n0]");
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "n0-h:1", "controllerSelfId", "n0",
            "enableElectUncleanMaster", "yes"))).hasMessageContaining("enableElectUncleanMaster");
        ControllerConfig ok = ControllerConfig.parse(Map.of("controllerPeers", " n0-10.0.0.1:9870 ; n1-10.0.0.2:9870 ",
            "controllerSelfId", "n1"));
        assertThat(ok.selfAddress()).isEqualTo("10.0.0.2:9870");
        assertThat(ok.peerIds()).containsExactly("n0", "n1");
        assertThat(ok.electUncleanMaster()).isFalse();
        assertThat(ok.heartbeatTimeoutMillis()).isEqualTo(3_000);
        assertThatThrownBy(() -> ControllerConfig.parse(Map.of("controllerPeers", "n0-h:1", "controllerSelfId", "n0",
            "controllerHeartBeatTimeoutMills", "0"))).hasMessageContaining("controllerHeartBeatTimeoutMills must be");
    }
}
