package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos tier (mvn -Pchaos verify): a SYNC_MASTER and its replica under continuous sends, with
 * {@code quiver.replication.kills} (30) SIGKILLs of one or the other at random moments, each restarted at
 * once. Every acknowledged (SEND_OK) message must be found on both at its acknowledged offset, byte for byte;
 * {@code quiver store verify} must be clean on both; and once the replica has caught up its commit log must be
 * byte-identical to the master's.
 */
@Tag("chaos")
@Timeout(1_800)
class ReplicationChaosIT {

    @Test
    void killingMasterOrReplicaAtRandomLosesNothingAcknowledged() throws Exception {
        int kills = Integer.getInteger("quiver.replication.kills", 30);
        long seed = Long.getLong("quiver.replication.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("replication chaos: seed " + seed + " (-Dquiver.replication.seed to replay)");
        Path root = Files.createTempDirectory("quiver-replication-chaos-");
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess master = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-c", "brokerRole", "SYNC_MASTER")).start();
             QuiverProcess replica = QuiverProcess.broker(root.resolve("replica"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-c", "brokerRole", "SLAVE", "brokerId", "1")).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_replication_chaos");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("replication-chaos");
            p.setRetryTimesWhenSendFailed(0);
            p.setSendMsgTimeout(6_000);
            p.start();
            String topic = "ReplicationChaos";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                p.send(new Message(topic, "hello".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);

            AtomicLong seq = new AtomicLong();
            List<SendLoad.Acked> acked = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                SendLoad load = new SendLoad(p, topic, 4, () -> "chaos-" + seq.incrementAndGet() + "-" + "r".repeat(300));
                Thread.sleep(500 + random.nextInt(2_000));
                QuiverProcess victim = random.nextBoolean() ? master : replica;
                victim.kill();
                Thread.sleep(random.nextInt(1_000));
                for (SendLoad.Acked a : load.stop()) {
                    if (a.result().getSendStatus() == SendStatus.SEND_OK) {
                        acked.add(a);
                    }
                }
                victim.start();
            }
            assertThat(acked.size()).as("SEND_OK across %d kills", kills).isGreaterThan(kills * 10);

            // The replica catches up with everything the master holds.
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                p.send(new Message(topic, "last".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
            for (SendLoad.Acked a : acked) {
                long offset = MessageDecoder.decodeMessageId(a.result().getOffsetMsgId()).getOffset();
                for (QuiverProcess side : List.of(master, replica)) {
                    MessageExt m = api.viewMessage(side.brokerAddr(), offset, 5_000);
                    assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).as("offset %d on %s", offset,
                        side == master ? "master" : "replica").isEqualTo(a.body());
                    assertThat(m.getQueueOffset()).isEqualTo(a.result().getQueueOffset());
                }
            }
            p.shutdown();
            replica.stop();
            master.stop();
            for (QuiverProcess side : List.of(master, replica)) {
                Process verify = new ProcessBuilder(Path.of(System.getProperty("quiver.dist"), "bin", "quiver").toString(),
                    "store", "verify", "--data-dir", side.dataDir().resolve("broker").toString())
                    .redirectErrorStream(true).start();
                String report = new String(verify.getInputStream().readAllBytes());
                assertThat(verify.waitFor()).as(report).isZero();
            }
            assertSameLog(master.dataDir().resolve("broker/commitlog"), replica.dataDir().resolve("broker/commitlog"));
            System.out.println("replication chaos: " + acked.size() + " acknowledged sends across " + kills
                + " SIGKILLs of master or replica, every one on both at its offset; the logs are identical");
        }
    }

    private static void assertSameLog(Path master, Path replica) throws Exception {
        List<Path> segments;
        try (Stream<Path> s = Files.list(master)) {
            segments = s.sorted().toList();
        }
        assertThat(segments).isNotEmpty();
        for (Path seg : segments) {
            Path copy = replica.resolve(seg.getFileName().toString());
            assertThat(copy).as("segment %s on the replica", seg.getFileName()).exists();
            assertThat(Files.mismatch(seg, copy)).as("first differing byte of segment %s", seg.getFileName())
                .isEqualTo(-1L);
        }
    }
}
