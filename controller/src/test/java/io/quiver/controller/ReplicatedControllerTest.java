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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier (loopback, one JVM): three controllers replicate their state with Apache Ratis. Commands from any
 * client reach every controller in the same order; with one controller gone the other two still decide; with two
 * gone nothing is decided (a command is not answered) and nothing changes.
 */
@Timeout(120)
class ReplicatedControllerTest {
    @TempDir
    Path dir;

    private final List<RaftServer> servers = new ArrayList<>();
    private final List<ControllerStateMachine> machines = new ArrayList<>();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private RaftGroup startThree() throws IOException {
        return startThree(0);
    }

    private RaftProperties properties(RaftPeer peer, int snapshotEvery) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setPort(p, Integer.parseInt(peer.getAddress().split(":")[1]));
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(peer.getId().toString()).toFile()));
        if (snapshotEvery > 0) {
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEvery);
        }
        return p;
    }

    /** Three controllers; with {@code snapshotEvery} > 0 each snapshots after that many log entries. */
    private RaftGroup startThree(int snapshotEvery) throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + freePort()).build());
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.nameUUIDFromBytes("quiver-test".getBytes())), peers);
        for (int i = 0; i < 3; i++) {
            RaftProperties p = properties(peers.get(i), snapshotEvery);
            ControllerStateMachine sm = new ControllerStateMachine();
            RaftServer s = RaftServer.newBuilder().setGroup(group).setProperties(p).setServerId(peers.get(i).getId())
                .setStateMachine(sm).build();
            s.start();
            servers.add(s);
            machines.add(sm);
        }
        return group;
    }

    private static RaftClient client(RaftGroup group) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        return RaftClient.newBuilder().setProperties(p).setRaftGroup(group)
            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build();
    }

    private static ControllerState.Result send(RaftClient c, ControllerCommand cmd) throws IOException {
        RaftClientReply reply = c.io().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(cmd))));
        assertThat(reply.isSuccess()).as(String.valueOf(reply)).isTrue();
        return CommandCodec.decodeResult(reply.getMessage().getContent().toByteArray());
    }

    @AfterEach
    void stop() throws IOException {
        for (RaftServer s : servers) {
            s.close();
        }
    }

    @Test
    void everyControllerAppliesTheSameCommandsAndTwoOfThreeStillDecide() throws Exception {
        RaftGroup group = startThree();
        try (RaftClient c = client(group)) {
            for (int i = 0; i < 3; i++) {
                assertThat(send(c, new ControllerCommand.Register("C", "broker-a", "h" + i + ":10911", i)).assignedId())
                    .isEqualTo(i);
            }
            ControllerState.Result elected = send(c, new ControllerCommand.Elect("C", "broker-a",
                Map.of(0L, 10L, 1L, 20L, 2L, 5L), false));
            assertThat(elected.group().masterId()).isEqualTo(1);
            assertThat(send(c, new ControllerCommand.AlterInSync("C", "broker-a", 1, 1, Set.of(0L, 1L))).accepted()).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (ControllerStateMachine m : machines) {
                    assertThat(m.group("C", "broker-a")).contains(elected.group().withInSync(Set.of(0L, 1L)));
                }
            });
            // a read answered by the state machine
            RaftClientReply read = c.io().sendReadOnly(Message.valueOf("C/broker-a"));
            assertThat(CommandCodec.decodeResult(read.getMessage().getContent().toByteArray()).group().inSync())
                .containsExactly(0L, 1L);

            // one controller gone (the leader): the other two elect a leader and go on deciding
            RaftServer leader = servers.stream().filter(s -> {
                try {
                    return s.getDivision(group.getGroupId()).getInfo().isLeader();
                } catch (IOException e) {
                    return false;
                }
            }).findFirst().orElseThrow();
            int gone = servers.indexOf(leader);
            leader.close();
            ControllerState.Result next = send(c, new ControllerCommand.Elect("C", "broker-a", Map.of(0L, 20L, 2L, 30L),
                false));
            assertThat(next.group().masterId()).as("in sync beats the longer log").isEqualTo(0);
            assertThat(next.group().masterEpoch()).isEqualTo(2);
            for (int i = 0; i < 3; i++) {
                if (i != gone) {
                    int k = i;
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                        machines.get(k).group("C", "broker-a").orElseThrow().masterEpoch() == 2);
                }
            }
        }
    }

    @Test
    void aRestartedControllerLoadsItsSnapshotAndCatchesUp() throws Exception {
        RaftGroup group = startThree(16);
        try (RaftClient c = client(group)) {
            for (int i = 0; i < 60; i++) {
                send(c, new ControllerCommand.Register("C", "broker-" + i, "h" + i + ":10911", 0));
            }
            Path smDir = dir.resolve("n2").resolve(group.getGroupId().getUuid().toString()).resolve("sm");
            await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.isDirectory(smDir)
                && java.nio.file.Files.list(smDir).anyMatch(f -> f.getFileName().toString().startsWith("snapshot.")));
            servers.get(2).close();
            for (int i = 60; i < 70; i++) { // decided by the other two meanwhile
                send(c, new ControllerCommand.Register("C", "broker-" + i, "h" + i + ":10911", 0));
            }
            ControllerStateMachine again = new ControllerStateMachine();
            RaftServer restarted = RaftServer.newBuilder().setGroup(group)
                .setProperties(properties(group.getPeer(RaftPeerId.valueOf("n2")), 16))
                .setServerId(RaftPeerId.valueOf("n2")).setStateMachine(again)
                .setOption(org.apache.ratis.server.storage.RaftStorage.StartupOption.RECOVER).build();
            restarted.start();
            servers.set(2, restarted);
            await().atMost(Duration.ofSeconds(20)).until(() -> again.group("C", "broker-69").isPresent());
            for (int i = 0; i < 70; i++) {
                assertThat(again.group("C", "broker-" + i)).isEqualTo(machines.get(0).group("C", "broker-" + i));
            }
            assertThat(again.appliedCommands()).as("the groups before the snapshot came from it, not the log")
                .isLessThan(70);
        }
    }

    @Test
    void withoutAQuorumNothingIsDecided() throws Exception {
        RaftGroup group = startThree();
        try (RaftClient c = client(group)) {
            send(c, new ControllerCommand.Register("C", "broker-a", "h0:10911", -1));
        }
        servers.get(0).close();
        servers.get(1).close();
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        try (RaftClient c = RaftClient.newBuilder().setProperties(p).setRaftGroup(group)
            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build()) {
            assertThatThrownBy(() -> c.async().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(
                new ControllerCommand.Register("C", "broker-a", "h1:10911", -1))))).get(8, TimeUnit.SECONDS))
                .isNotNull();
        }
        assertThat(machines.get(2).group("C", "broker-a").orElseThrow().replicas()).as("the first free id is 1").containsOnlyKeys(1L);
    }
}
