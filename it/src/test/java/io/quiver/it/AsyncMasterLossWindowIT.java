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
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Integration tier: the loss window of an ASYNC_MASTER, measured rather than hidden. An ASYNC_MASTER
 * acknowledges before its replica has a message; when the master's machine is lost, the acknowledged messages
 * the replica did not have yet are lost with it. Here the master is killed under load and every acknowledged
 * message is looked up on the replica: the missing ones must be exactly the newest (everything from one
 * commit-log offset on), and their number is reported.
 */
@Timeout(240)
@org.junit.jupiter.api.Tag("chaos") // a kill under load that measures a documented loss window: in -Pchaos
class AsyncMasterLossWindowIT {

    @ParameterizedTest(name = "master flushDiskType={0}")
    @ValueSource(strings = {"SYNC_FLUSH", "ASYNC_FLUSH"})
    void whatTheReplicaLacksWhenAnAsyncMasterDiesIsTheNewestSuffix(String flush) throws Exception {
        Path root = Files.createTempDirectory("quiver-async-master-");
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess master = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-w", "brokerRole", "ASYNC_MASTER", "flushDiskType", flush)).start();
             QuiverProcess replica = QuiverProcess.broker(root.resolve("replica"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-w", "brokerRole", "SLAVE", "brokerId", "1")).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_loss_window");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("loss-window-" + flush);
            p.setRetryTimesWhenSendFailed(0);
            p.start();
            String topic = "LossWindow";
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                p.send(new Message(topic, "warm".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            AtomicLong seq = new AtomicLong();
            SendLoad load = new SendLoad(p, topic, 8, () -> "w-" + seq.incrementAndGet() + "-" + "q".repeat(500));
            Thread.sleep(5_000);
            master.kill(); // as if its machine were gone: only what the replica holds survives
            List<SendLoad.Acked> acked = new ArrayList<>();
            for (SendLoad.Acked a : load.stop()) {
                if (a.result().getSendStatus() == SendStatus.SEND_OK) {
                    acked.add(a);
                }
            }
            long firstMissing = Long.MAX_VALUE;
            long lastPresent = -1;
            int missing = 0;
            for (SendLoad.Acked a : acked) {
                long offset = MessageDecoder.decodeMessageId(a.result().getOffsetMsgId()).getOffset();
                MessageExt m;
                try {
                    m = api.viewMessage(replica.brokerAddr(), offset, 5_000);
                } catch (Exception e) {
                    m = null;
                }
                if (m == null) {
                    missing++;
                    firstMissing = Math.min(firstMissing, offset);
                } else {
                    assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo(a.body());
                    lastPresent = Math.max(lastPresent, offset);
                }
            }
            assertThat(acked.size()).isGreaterThan(1_000);
            assertThat(lastPresent).as("the replica holds a prefix of the master's log").isLessThan(firstMissing);
            System.out.printf("ASYNC_MASTER (%s) loss window: %d of %d acknowledged sends (%.3f %%) were not on the "
                + "replica when the master was killed%n", flush, missing, acked.size(), 100.0 * missing / acked.size());
            p.shutdown();
        }
    }
}
