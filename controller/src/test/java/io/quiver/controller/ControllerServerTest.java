package io.quiver.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.ControllerGroupView;
import io.quiver.protocol.body.ControllerMetadata;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.ControllerHeaders;
import io.quiver.remoting.RemotingClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier (loopback): what brokers and tools get from a controller's listener: ids from registration, a master
 * elected from heartbeats, in-sync changes only from the master of the current epoch, and the metadata mqadmin
 * and {@code quiver controller status} read.
 */
@Timeout(120)
class ControllerServerTest {
    @TempDir
    Path dir;

    private static final String CLUSTER = "C";
    private static final String GROUP = "broker-a";

    @Test
    void brokersRegisterHeartbeatAndTheMasterAloneChangesTheInSyncSet() throws Exception {
        int raft;
        try (ServerSocket s = new ServerSocket(0)) {
            raft = s.getLocalPort();
        }
        ControllerConfig config = ControllerConfig.parse(Map.of("controllerPeers", "n0-127.0.0.1:" + raft,
            "controllerSelfId", "n0", "controllerStorePath", dir.toString(), "listenPort", "0",
            "bindAddress", "127.0.0.1", "controllerHeartBeatTimeoutMills", "1000", "scanNotActiveBrokerInterval", "100"));
        try (ControllerNode node = new ControllerNode(config).start();
             ControllerServer server = new ControllerServer(node).start();
             RemotingClient client = new RemotingClient("test")) {
            String addr = "127.0.0.1:" + server.port();
            await().atMost(Duration.ofSeconds(30)).until(node::isLeader);

            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RemotingCommand resp = call(client, addr, new ControllerHeaders.Register(CLUSTER, GROUP, "10.0.0." + i
                    + ":10911", "10.0.0." + i + ":10912", -1).encode(RemotingCommand.request(
                    RequestCode.CONTROLLER_REGISTER_BROKER)));
                assertThat(resp.code()).as(resp.remark()).isEqualTo(ResponseCode.SUCCESS);
                ids.add(Json.decode(resp.body(), ControllerGroupView.class).assignedBrokerId);
            }
            assertThat(ids).as("ids start at 1; 0 names whichever replica is master").containsExactly(1L, 2L, 3L);

            // heartbeats with log ends: the longest log becomes the first master
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (int i = 0; i < 3; i++) {
                    call(client, addr, new ControllerHeaders.Heartbeat(CLUSTER, GROUP, "10.0.0." + i + ":10911", i + 1, 0,
                        i == 1 ? 500 : 100).encode(RemotingCommand.request(RequestCode.BROKER_HEARTBEAT)));
                }
                return view(client, addr).masterBrokerId == 2;
            });
            ControllerGroupView v = view(client, addr);
            assertThat(v.masterEpoch).isEqualTo(1);
            assertThat(v.masterAddress).isEqualTo("10.0.0.1:10911");
            assertThat(v.masterHaAddress).isEqualTo("10.0.0.1:10912");
            assertThat(v.syncStateSet).containsExactly(2L);
            assertThat(v.leader).isTrue();

            ControllerGroupView set = new ControllerGroupView();
            set.syncStateSet = List.of(2L, 3L);
            RemotingCommand notMaster = call(client, addr, new ControllerHeaders.AlterSyncStateSet(CLUSTER, GROUP, 3, 1)
                .encode(RemotingCommand.request(RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET)).body(Json.encode(set)));
            assertThat(notMaster.code()).isEqualTo(ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED);
            assertThat(notMaster.remark()).contains("is not the master");
            RemotingCommand ok = call(client, addr, new ControllerHeaders.AlterSyncStateSet(CLUSTER, GROUP, 2, 1)
                .encode(RemotingCommand.request(RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET)).body(Json.encode(set)));
            assertThat(ok.code()).as(ok.remark()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(Json.decode(ok.body(), ControllerGroupView.class).syncStateSet).containsExactly(2L, 3L);

            RemotingCommand unknown = call(client, addr, new ControllerHeaders.Group(CLUSTER, "nope", -1)
                .encode(RemotingCommand.request(RequestCode.CONTROLLER_GET_REPLICA_INFO)));
            assertThat(unknown.code()).isEqualTo(ResponseCode.CONTROLLER_INVALID_REQUEST);
            assertThat(unknown.remark()).contains("nope", "unknown");

            RemotingCommand meta = call(client, addr, RemotingCommand.request(RequestCode.CONTROLLER_GET_METADATA_INFO));
            assertThat(meta.ext("controllerLeaderId")).isEqualTo("n0");
            assertThat(meta.ext("isLeader")).isEqualTo("true");
            ControllerMetadata m = Json.decode(meta.body(), ControllerMetadata.class);
            assertThat(m.groups).singleElement().satisfies(g -> assertThat(g.syncStateSet).containsExactly(2L, 3L));
            assertThat(m.elections).as("the first election").isEqualTo(1);
            assertThat(m.inSyncChanges).as("the master's one change; the refused one does not count").isEqualTo(1);

            // the master goes silent: the other in-sync replica (3) takes over in a new epoch, not the longer log 1
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                call(client, addr, new ControllerHeaders.Heartbeat(CLUSTER, GROUP, "10.0.0.0:10911", 1, 1, 900)
                    .encode(RemotingCommand.request(RequestCode.BROKER_HEARTBEAT)));
                call(client, addr, new ControllerHeaders.Heartbeat(CLUSTER, GROUP, "10.0.0.2:10911", 3, 1, 500)
                    .encode(RemotingCommand.request(RequestCode.BROKER_HEARTBEAT)));
                return view(client, addr).masterBrokerId == 3;
            });
            assertThat(view(client, addr).masterEpoch).isEqualTo(2);
        }
    }

    private static ControllerGroupView view(RemotingClient client, String addr) throws Exception {
        RemotingCommand resp = call(client, addr, new ControllerHeaders.Group(CLUSTER, GROUP, -1)
            .encode(RemotingCommand.request(RequestCode.CONTROLLER_GET_REPLICA_INFO)));
        assertThat(resp.code()).as(resp.remark()).isEqualTo(ResponseCode.SUCCESS);
        return Json.decode(resp.body(), ControllerGroupView.class);
    }

    private static RemotingCommand call(RemotingClient client, String addr, RemotingCommand req) throws Exception {
        return client.invoke(addr, req, 10_000).get(15, TimeUnit.SECONDS);
    }
}
