package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
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
        ReadBack read = readFromStart(topic, admin);
        Map<String, String> stored = read.stored();
        long expected = read.maxOffsets();
        assertThat(stored).hasSize((int) expected);
        for (Ack a : acked) {
            assertThat(stored.get(a.queueId() + "@" + a.offset())).as("acknowledged message at %d@%d", a.queueId(),
                a.offset()).isEqualTo(a.body());
        }
    }
}
