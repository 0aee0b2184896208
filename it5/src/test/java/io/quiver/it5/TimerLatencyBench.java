package io.quiver.it5;

import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bench tier (never run by default; run with
 * {@code mvn -B test -pl it5 -Dtest=TimerLatencyBench -DexcludedTestTags=none}): 100 000 timer messages all
 * due at the same instant; lateness per message = TIMER_DEQUEUE_MS − TIMER_OUT_MS, measured by the broker's
 * own clock, so consumer speed does not count. Prints p50 / p99 / max. Asserts nothing about time.
 */
@Tag("bench")
@Timeout(600)
class TimerLatencyBench {
    static final int MESSAGES = Integer.getInteger("quiver.bench.timers", 100_000);

    @Test
    void burstOfTimersDueAtTheSameInstant() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-timer-bench-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(256 * 1024 * 1024))).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_timer_bench");
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.start();
            String topic = "TimerBench";
            p.send(new Message(topic, "seed".getBytes()));
            Thread.sleep(1_000);
            long due = System.currentTimeMillis() + 60_000;
            ExecutorService pool = Executors.newFixedThreadPool(16);
            byte[] body = new byte[256];
            long t0 = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                pool.execute(() -> {
                    try {
                        Message m = new Message(topic, body);
                        m.setDeliverTimeMs(due);
                        p.send(m);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(5, TimeUnit.MINUTES);
            System.out.printf("sent %d timers in %.1f s; all due at +%.1f s%n", MESSAGES, (System.nanoTime() - t0) / 1e9,
                (due - System.currentTimeMillis()) / 1000.0);
            while (System.currentTimeMillis() < due + 5_000) {
                Thread.sleep(500);
            }
            DefaultLitePullConsumer c = new DefaultLitePullConsumer("CG_timer_bench");
            c.setNamesrvAddr(quiver.namesrvAddr());
            c.setAutoCommit(false);
            c.setPullBatchSize(32);
            c.start();
            List<MessageQueue> queues = new ArrayList<>(c.fetchMessageQueues(topic));
            c.assign(queues);
            for (MessageQueue q : queues) {
                c.seekToBegin(q);
            }
            List<Long> lateness = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 300_000;
            while (lateness.size() < MESSAGES && System.currentTimeMillis() < deadline) {
                for (MessageExt m : c.poll(1_000)) {
                    String out = m.getProperty("TIMER_OUT_MS");
                    String deq = m.getProperty("TIMER_DEQUEUE_MS");
                    if (out != null && deq != null) {
                        lateness.add(Long.parseLong(deq) - Long.parseLong(out));
                    }
                }
            }
            Collections.sort(lateness);
            int n = lateness.size();
            System.out.printf("TIMER LATENESS over %d messages: p50 %d ms, p99 %d ms, max %d ms%n", n,
                lateness.get(n / 2), lateness.get((int) (n * 0.99)), lateness.get(n - 1));
            c.shutdown();
            p.shutdown();
        }
    }
}
