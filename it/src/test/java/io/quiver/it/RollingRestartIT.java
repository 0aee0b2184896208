package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a rolling restart under load. Two brokers serve one topic while official producers
 * send without pause; {@code quiver broker drain} takes one broker out (write permission removed at the
 * name server, producers move, the broker stops), it is restarted and takes traffic again. Every send
 * succeeds (with the client's normal retries) and every acknowledged message is stored exactly where
 * its acknowledgement said.
 */
@Timeout(240)
class RollingRestartIT {
    private static final int PRODUCERS = 3;

    @Test
    void drainingOneOfTwoBrokersUnderLoadFailsNoSendAndLosesNothing() throws Exception {
        Path root = Files.createTempDirectory("quiver-rolling-");
        Map<String, String> common = Map.of("drainQuietMillis", "1500", "drainMaxWaitMillis", "20000");
        Map<String, String> confA = new java.util.HashMap<>(common);
        confA.put("brokerName", "broker-a");
        Map<String, String> confB = new java.util.HashMap<>(common);
        confB.put("brokerName", "broker-b");
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess a = QuiverProcess.broker(root.resolve("a"), ns.namesrvAddr(), confA).start();
             QuiverProcess b = QuiverProcess.broker(root.resolve("b"), ns.namesrvAddr(), confB).start()) {
            String topic = "Rolling";
            QuiverCli.Result created = QuiverCli.run("topic", "create", topic, "--queues", "4", "--namesrv", ns.namesrvAddr());
            assertThat(created.exitCode()).as(created.toString()).isZero();

            List<DefaultMQProducer> producers = new ArrayList<>();
            for (int i = 0; i < PRODUCERS; i++) {
                DefaultMQProducer p = new DefaultMQProducer("PG_rolling");
                p.setNamesrvAddr(ns.namesrvAddr());
                p.setInstanceName("rolling-" + i);
                p.setPollNameServerInterval(500); // route refresh; the default is 30 s (drainMaxWaitMillis covers it)
                p.setSendMsgTimeout(5_000);
                p.start();
                producers.add(p);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> producers.get(0).fetchPublishMessageQueues(topic).size() == 8);

            Map<String, String> acked = new ConcurrentHashMap<>(); // body -> broker:queue:offset
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger seq = new AtomicInteger();
            Map<String, AtomicInteger> perBroker = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (DefaultMQProducer p : producers) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        String body = "m-" + seq.incrementAndGet();
                        try {
                            SendResult r = p.send(new Message(topic, body.getBytes(StandardCharsets.UTF_8)));
                            if (r.getSendStatus() != SendStatus.SEND_OK) {
                                failures.add(new IllegalStateException(body + ": " + r.getSendStatus()));
                            }
                            MessageQueue q = r.getMessageQueue();
                            acked.put(body, q.getBrokerName() + ":" + q.getQueueId() + ":" + r.getQueueOffset());
                            perBroker.computeIfAbsent(q.getBrokerName(), k -> new AtomicInteger()).incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                }, "rolling-sender");
                threads.add(t);
                t.start();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> perBroker.getOrDefault("broker-a", new AtomicInteger()).get() > 50
                && perBroker.getOrDefault("broker-b", new AtomicInteger()).get() > 50);

            QuiverCli.Result drained = QuiverCli.run("broker", "drain", "--broker", "broker-a", "--namesrv", ns.namesrvAddr());
            assertThat(drained.exitCode()).as(drained.toString()).isZero();
            assertThat(drained.out()).contains("drained and stopped");
            await().atMost(Duration.ofSeconds(10)).until(() -> !a.isAlive());
            assertThat(String.join("\n", a.output())).contains("Quiver stopped cleanly.");
            int aBeforeRestart = perBroker.get("broker-a").get();
            int bBefore = perBroker.get("broker-b").get();
            await().atMost(Duration.ofSeconds(10)).until(() -> perBroker.get("broker-b").get() > bBefore + 50);

            a.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> perBroker.get("broker-a").get() > aBeforeRestart + 50);
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
            producers.forEach(DefaultMQProducer::shutdown);

            assertThat(failures).as("failed sends").isEmpty();
            assertThat(acked.size()).isGreaterThan(300);

            // Every acknowledged message is stored at the queue and offset its acknowledgement named.
            Map<String, String> stored = readAll(ns.namesrvAddr(), topic, acked.size());
            Set<String> missing = new HashSet<>(acked.keySet());
            missing.removeAll(stored.keySet());
            assertThat(missing).as("acknowledged but not stored").isEmpty();
            acked.forEach((body, where) -> assertThat(stored.get(body)).as(body).isEqualTo(where));
        } finally {
            deleteRecursively(root);
        }
    }

    private static Map<String, String> readAll(String namesrv, String topic, int atLeast) throws Exception {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("CG_rolling_check");
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("rolling-check");
        c.setAutoCommit(false);
        c.start();
        try {
            List<MessageQueue> queues = new ArrayList<>(c.fetchMessageQueues(topic));
            assertThat(queues).hasSize(8);
            c.assign(queues);
            for (MessageQueue q : queues) {
                c.seekToBegin(q);
            }
            Map<String, String> stored = new ConcurrentHashMap<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (stored.size() < atLeast && System.currentTimeMillis() < deadline) {
                for (MessageExt m : c.poll(1_000)) {
                    stored.put(new String(m.getBody(), StandardCharsets.UTF_8),
                        m.getBrokerName() + ":" + m.getQueueId() + ":" + m.getQueueOffset());
                }
            }
            return stored;
        } finally {
            c.shutdown();
        }
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
