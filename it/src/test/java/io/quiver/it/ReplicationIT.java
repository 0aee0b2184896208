package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a SYNC_MASTER and its replica as separate {@code quiver broker} processes, driven by the
 * official 4.9.8 producer. Without a replica a send is stored but answered SLAVE_NOT_AVAILABLE; with one,
 * SEND_OK means the replica has it: after the master is killed with SIGKILL under load, every acknowledged
 * message is read back from the replica, byte for byte, at its acknowledged commit-log offset. The master then
 * restarts and the pair carries on.
 */
@Timeout(300)
class ReplicationIT {
    private static final String TOPIC = "ReplicatedTopic";

    private record Acked(SendResult result, byte[] body) {}

    @Test
    void whatASyncMasterAcknowledgesSurvivesItsDeathOnTheReplica() throws Exception {
        Path root = Files.createTempDirectory("quiver-replication-");
        String haPort = Integer.toString(FreePorts.next());
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess master = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-r", "brokerRole", "SYNC_MASTER", "haListenPort", haPort)).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_replication");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("replication-producer");
            p.setSendMsgTimeout(10_000);
            p.start();
            SendResult alone = p.send(new Message(TOPIC, "alone".getBytes(StandardCharsets.UTF_8)));
            assertThat(alone.getSendStatus()).as("no replica connected").isEqualTo(SendStatus.SLAVE_NOT_AVAILABLE);

            try (QuiverProcess replica = QuiverProcess.broker(root.resolve("replica"), ns.namesrvAddr(),
                Map.of("brokerName", "broker-r", "brokerRole", "SLAVE", "brokerId", "1",
                    "haListenPort", Integer.toString(FreePorts.next()))).start()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                    p.send(new Message(TOPIC, "probe".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);

                // GET_BROKER_HA_STATUS (mqadmin haStatus) on both sides, and the metrics
                MQClientAPIImpl raw = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                com.fasterxml.jackson.databind.JsonNode ms = haStatus(raw, master.brokerAddr());
                assertThat(ms.get("master").asBoolean()).isTrue();
                assertThat(ms.get("inSyncSlaveNums").asInt()).isEqualTo(1);
                assertThat(ms.get("haConnectionInfo")).hasSize(1);
                assertThat(ms.get("haConnectionInfo").get(0).get("inSync").asBoolean()).isTrue();
                com.fasterxml.jackson.databind.JsonNode rs = haStatus(raw, replica.brokerAddr());
                assertThat(rs.get("master").asBoolean()).isFalse();
                assertThat(rs.get("haClientRuntimeInfo").get("masterAddr").asText()).endsWith(":" + haPort);
                assertThat(rs.get("haClientRuntimeInfo").get("maxOffset").asLong()).isPositive();
                assertThat(rs.get("haClientRuntimeInfo").get("behindMillis").asLong()).isNotNegative();
                assertThat(fetch(master.metricsUrl())).contains("quiver_replication_replicas_in_sync 1.0");
                assertThat(fetch(replica.metricsUrl())).contains("quiver_replication_master_lag_bytes")
                    .contains("quiver_replication_master_lag_seconds");
                // the name server lists both under their brokerIds (mqadmin clusterList, topicRoute)
                org.apache.rocketmq.common.protocol.body.ClusterInfo ci = raw.getBrokerClusterInfo(5_000);
                assertThat(ci.getBrokerAddrTable().get("broker-r").getBrokerAddrs())
                    .containsEntry(0L, master.brokerAddr()).containsEntry(1L, replica.brokerAddr());
                assertThat(raw.getTopicRouteInfoFromNameServer(TOPIC, 5_000).getBrokerDatas().get(0).getBrokerAddrs())
                    .containsEntry(0L, master.brokerAddr()).containsEntry(1L, replica.brokerAddr());
                // quiver cluster: the master's replicas in sync, the replica's lag
                io.quiver.testkit.QuiverCli.Result cluster = io.quiver.testkit.QuiverCli.run("cluster", "--namesrv",
                    ns.namesrvAddr());
                assertThat(cluster.exitCode()).as(cluster.toString()).isZero();
                assertThat(cluster.out()).contains("REPLICATION").contains("1/1 replicas in sync")
                    .containsPattern("replica, lag \\d+ B, \\d+\\.\\d s");
                // a replica refuses changes with its role in the remark
                org.apache.rocketmq.remoting.protocol.RemotingCommand create =
                    org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(17, null);
                create.addExtField("topic", "MadeOnReplica");
                create.addExtField("defaultTopic", "TBW102");
                create.addExtField("readQueueNums", "4");
                create.addExtField("writeQueueNums", "4");
                create.addExtField("perm", "6");
                create.addExtField("topicFilterType", "SINGLE_TAG");
                org.apache.rocketmq.remoting.protocol.RemotingCommand refused =
                    raw.getRemotingClient().invokeSync(replica.brokerAddr(), create, 5_000);
                assertThat(refused.getCode()).isEqualTo(14); // SERVICE_NOT_AVAILABLE
                assertThat(refused.getRemark()).contains("is a replica");

                ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger notOk = new AtomicInteger();
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int id = t;
                    Thread th = new Thread(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            byte[] body = ("t" + id + "-" + i + "-" + "z".repeat(i % 300)).getBytes(StandardCharsets.UTF_8);
                            try {
                                SendResult r = p.send(new Message(TOPIC, body));
                                if (r.getSendStatus() == SendStatus.SEND_OK) {
                                    acked.add(new Acked(r, body));
                                } else {
                                    notOk.incrementAndGet();
                                }
                            } catch (Exception e) {
                                if (!master.isAlive()) {
                                    return;
                                }
                            }
                        }
                    }, "replication-sender-" + t);
                    th.start();
                    senders.add(th);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 3_000);
                master.kill(); // SIGKILL under load
                stop.set(true);
                for (Thread th : senders) {
                    th.join(30_000);
                }
                assertThat(notOk.get()).as("statuses other than SEND_OK while the replica was connected").isZero();

                MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                int checked = 0;
                for (Acked a : acked) {
                    long offset = MessageDecoder.decodeMessageId(a.result().getOffsetMsgId()).getOffset();
                    MessageExt m = api.viewMessage(replica.brokerAddr(), offset, 5_000);
                    assertThat(m.getBody()).as("body at offset %d", offset).isEqualTo(a.body());
                    assertThat(m.getTopic()).isEqualTo(TOPIC);
                    assertThat(m.getQueueId()).isEqualTo(a.result().getMessageQueue().getQueueId());
                    assertThat(m.getQueueOffset()).isEqualTo(a.result().getQueueOffset());
                    checked++;
                }
                assertThat(checked).isGreaterThanOrEqualTo(3_000);

                master.start(); // the same data: it recovers, and the replica follows again
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    try {
                        return p.send(new Message(TOPIC, "after".getBytes(StandardCharsets.UTF_8))).getSendStatus()
                            == SendStatus.SEND_OK;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
            p.shutdown();
        }
    }

    private static DefaultMQPushConsumer consumer(String namesrv, String group, Set<String> seen) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(namesrv);
        c.setInstanceName(group + "-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe("OutageTopic", "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(new String(m.getBody(), StandardCharsets.UTF_8)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    /**
     * While the master is away, the official push consumer reads from the replica (which follows the master's
     * topics and offsets) and commits its progress there; when the master returns it takes that progress, so
     * the group goes on with new messages only.
     */
    @Test
    void consumersReadFromTheReplicaWhileTheMasterIsAwayAndKeepTheirProgress() throws Exception {
        Path root = Files.createTempDirectory("quiver-outage-");
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess master = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-o", "brokerRole", "SYNC_MASTER")).start();
             QuiverProcess replica = QuiverProcess.broker(root.resolve("replica"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-o", "brokerRole", "SLAVE", "brokerId", "1")).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_outage");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("outage-producer");
            p.start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                p.send(new Message("OutageTopic", "first".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            DefaultMQPushConsumer before = consumer(ns.namesrvAddr(), "CG_outage", seen);
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("first"));
            before.shutdown(); // the group exists on the master, with its offsets
            for (int i = 0; i < 200; i++) {
                assertThat(p.send(new Message("OutageTopic", ("during-" + i).getBytes(StandardCharsets.UTF_8)))
                    .getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            }
            Thread.sleep(3 * 1_000); // the replica takes the master's offsets within a second or two
            master.kill();

            DefaultMQPushConsumer outage = consumer(ns.namesrvAddr(), "CG_outage", seen);
            await().atMost(Duration.ofSeconds(90)).until(() -> seen.size() == 201);
            outage.shutdown(); // commits its progress to the replica
            Set<String> duringOutage = Set.copyOf(seen);
            assertThat(duringOutage).contains("during-0", "during-199");

            master.start();
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            // The master takes the offsets committed on the replica: every queue consumed to its end. (The first
            // send may have been stored more than once while the replica was connecting: count from the log.)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                for (int q = 0; q < 8; q++) {
                    QueryConsumerOffsetRequestHeader h = new QueryConsumerOffsetRequestHeader();
                    h.setConsumerGroup("CG_outage");
                    h.setTopic("OutageTopic");
                    h.setQueueId(q);
                    long end = api.getMaxOffset(master.brokerAddr(), new MessageQueue("OutageTopic", "broker-o", q), 3_000);
                    if (api.queryConsumerOffset(master.brokerAddr(), h, 3_000) != end) {
                        return false;
                    }
                }
                return true;
            });
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                p.send(new Message("OutageTopic", "after".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
            seen.clear();
            DefaultMQPushConsumer after = consumer(ns.namesrvAddr(), "CG_outage", seen);
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("after"));
            Thread.sleep(2_000);
            assertThat(seen).as("nothing consumed during the outage comes again").containsOnly("after");
            after.shutdown();
            p.shutdown();
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode haStatus(MQClientAPIImpl api, String addr) throws Exception {
        org.apache.rocketmq.remoting.protocol.RemotingCommand resp = api.getRemotingClient().invokeSync(addr,
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(907, null), 5_000);
        assertThat(resp.getCode()).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.getBody());
    }

    private static String fetch(String url) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
