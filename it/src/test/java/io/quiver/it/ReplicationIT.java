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
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
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
}
