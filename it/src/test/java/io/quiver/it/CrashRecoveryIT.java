package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, short crash loop: producers send with the default SYNC_FLUSH while the broker is
 * killed with SIGKILL; after each restart every acknowledged message is readable, byte for byte, at the
 * queue and offset its acknowledgement named. (The long loop belongs to the chaos profile.)
 */
@Timeout(300)
class CrashRecoveryIT extends QuiverIT {
    /** Crash cycles; the chaos-profile subclass runs many more. */
    protected int cycles() {
        return 3;
    }

    private record Ack(int queueId, long offset, String body) {}

    @Test
    void acknowledgedMessagesSurviveSigkill() throws Exception {
        String topic = unique("Crash");
        DefaultMQProducer seedProducer = producer();
        ensureTopic(seedProducer, topic);
        List<Ack> acked = new ArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        long seed = Long.getLong("quiver.crash.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        System.out.println("crash loop seed " + seed + " (rerun with -Dquiver.crash.seed=" + seed + ")");
        for (int cycle = 0; cycle < cycles(); cycle++) {
            DefaultMQProducer p = producer();
            p.setRetryTimesWhenSendFailed(0);
            p.setSendMsgTimeout(3_000);
            SendLoad load = new SendLoad(p, topic, 4, () -> "crash-" + seq.incrementAndGet() + "-" + "x".repeat(200));
            Thread.sleep(300 + random.nextInt(1_200));
            quiver.kill();
            for (SendLoad.Acked a : load.stop()) {
                acked.add(new Ack(a.result().getMessageQueue().getQueueId(), a.result().getQueueOffset(), a.body()));
            }
            quiver.start();
            verify(topic, acked, producer());
        }
        assertThat(acked.size()).as("acknowledged sends across %d crashes", cycles()).isGreaterThan(100);
        System.out.println("crash loop: " + acked.size() + " acknowledged sends across " + cycles()
            + " SIGKILLs, every one found at its acknowledged offset");
        quiver.stop();
        Process verify = new ProcessBuilder(Path.of(System.getProperty("quiver.dist"), "bin", "quiver").toString(),
            "store", "verify", "--data-dir", quiver.dataDir().toString()).redirectErrorStream(true).start();
        String report = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor()).as(report).isZero();
        assertThat(report).contains("OK");
        quiver.start();
    }

    private void verify(String topic, List<Ack> acked, DefaultMQProducer admin) throws Exception {
        DefaultLitePullConsumer c = litePullConsumer(unique("Verify"));
        c.setAutoCommit(false);
        c.setPullBatchSize(32);
        c.start();
        List<MessageQueue> queues = sortedQueues(c.fetchMessageQueues(topic));
        c.assign(queues);
        Map<Integer, Long> max = new HashMap<>();
        for (MessageQueue q : queues) {
            c.seekToBegin(q);
            max.put(q.getQueueId(), admin.maxOffset(q));
        }
        long expected = max.values().stream().mapToLong(Long::longValue).sum();
        Map<String, String> stored = new HashMap<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (stored.size() < expected && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(500)) {
                String key = m.getQueueId() + "@" + m.getQueueOffset();
                // The 4.9.8 lite-pull consumer may hand out a pull that was in flight when seekToBegin ran, so an
                // offset can arrive twice; it must then hold the same message.
                String before = stored.put(key, body(m));
                assertThat(before == null || before.equals(body(m))).as("offset %s held two different messages", key)
                    .isTrue();
            }
        }
        c.shutdown();
        assertThat(stored).hasSize((int) expected);
        for (Ack a : acked) {
            assertThat(stored.get(a.queueId() + "@" + a.offset())).as("acknowledged message at %d@%d", a.queueId(),
                a.offset()).isEqualTo(a.body());
        }
    }
}
