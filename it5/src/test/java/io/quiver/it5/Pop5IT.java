package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageRequestMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the official 5.1.4 client: after {@code setConsumeMode ... POP} (SET_MESSAGE_REQUEST_MODE),
 * a push consumer that lets the broker rebalance consumes by POP (POP_MESSAGE, ACK_MESSAGE): every message arrives;
 * one the listener fails comes back (CHANGE_MESSAGE_INVISIBLETIME, then the POP retry topic) with its reconsume
 * count raised; acknowledged messages do not come back after their invisible time.
 */
@Timeout(180)
class Pop5IT {
    @Test
    void aPushConsumerInPopModeReceivesEverythingAndAFailedMessageComesBackOnce() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-it5-pop-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String topic = "T_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "CG_" + UUID.randomUUID().toString().substring(0, 8);
            DefaultMQProducer p = new DefaultMQProducer("PG_" + group);
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setInstanceName("p-" + group);
            p.start();
            Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
            Map<String, Integer> reconsumeTimes = new ConcurrentHashMap<>();
            DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
            try {
                p.send(new Message(topic, "seed".getBytes(StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
                p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl().setMessageRequestMode(
                    quiver.brokerAddr(), topic, group, MessageRequestMode.POP, 0, 5_000);

                consumer.setNamesrvAddr(quiver.namesrvAddr());
                consumer.setInstanceName("c-" + group);
                consumer.setClientRebalance(false);
                consumer.setPopInvisibleTime(5_000);
                consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                consumer.subscribe(topic, "*");
                consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                    for (var m : msgs) {
                        String body = new String(m.getBody(), StandardCharsets.UTF_8);
                        int n = deliveries.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                        reconsumeTimes.put(body, m.getReconsumeTimes());
                        if (body.equals("fail-once") && n == 1) {
                            return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                        }
                    }
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                consumer.start();
                for (int i = 0; i < 100; i++) {
                    p.send(new Message(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
                p.send(new Message(topic, "fail-once".getBytes(StandardCharsets.UTF_8)));

                await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.size() == 102);
                assertThat(consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getPopProcessQueueTable())
                    .as("the consumer pops").isNotEmpty();
                // the failed message comes back after the client's first back-off (10 s), through the retry topic
                await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.get("fail-once").get() == 2);
                assertThat(reconsumeTimes.get("fail-once")).isEqualTo(1);
                Thread.sleep(8_000); // past every acknowledged message's invisible time
                deliveries.forEach((body, n) -> assertThat(n.get()).as(body)
                    .isEqualTo(body.equals("fail-once") ? 2 : 1));
            } finally {
                consumer.shutdown();
                p.shutdown();
            }
        }
    }
}
