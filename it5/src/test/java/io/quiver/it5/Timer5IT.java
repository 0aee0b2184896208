package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Integration tier: 5.x timer messages (arbitrary delivery time) with the official 5.1.4 client. */
@Timeout(180)
class Timer5IT {
    private static QuiverProcess quiver;

    @BeforeAll
    static void start() throws Exception {
        quiver = new QuiverProcess(Files.createTempDirectory("quiver-timer5-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start();
    }

    @AfterAll
    static void stop() {
        quiver.close();
    }

    private static String unique(String p) {
        return p + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void timerMessagesArriveAtTheirTimeOnceEvenAcrossASigkill() throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(unique("PG"));
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(unique("p"));
        p.start();
        String topic = unique("Timer");
        p.send(new Message(topic, "seed".getBytes()));
        await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);

        long t0 = System.currentTimeMillis();
        Message at = new Message(topic, "at-3s".getBytes());
        at.setDeliverTimeMs(t0 + 3_000);
        p.send(at);
        Message in = new Message(topic, "in-2s".getBytes());
        in.setDelayTimeSec(2);
        p.send(in);
        for (int i = 0; i < 30; i++) {
            Message m = new Message(topic, ("survivor-" + i).getBytes());
            m.setDelayTimeMs(4_000);
            p.send(m);
        }
        Message tooFar = new Message(topic, "too-far".getBytes());
        tooFar.setDeliverTimeMs(t0 + 4L * 24 * 3600 * 1000);
        assertThatThrownBy(() -> p.send(tooFar)).isInstanceOfSatisfying(MQBrokerException.class,
            e -> assertThat(e.getResponseCode()).isEqualTo(13));
        p.shutdown();

        quiver.kill(); // pending timers must survive
        quiver.start();

        Map<String, Long> arrivals = new ConcurrentHashMap<>();
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(unique("CG"));
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("c"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> {
                String b = new String(m.getBody());
                arrivals.putIfAbsent(b, System.currentTimeMillis());
                counts.merge(b, 1, Integer::sum);
            });
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        await().atMost(Duration.ofSeconds(60)).until(() ->
            arrivals.containsKey("at-3s") && arrivals.containsKey("in-2s")
                && arrivals.keySet().stream().filter(b -> b.startsWith("survivor-")).count() == 30);
        assertThat(arrivals.get("at-3s") - t0).isGreaterThanOrEqualTo(2_900);
        assertThat(arrivals.get("in-2s") - t0).isGreaterThanOrEqualTo(1_900);
        Thread.sleep(2_000);
        assertThat(counts.values()).allMatch(n -> n == 1);
        assertThat(arrivals).doesNotContainKey("too-far");
        c.shutdown();
    }
}
