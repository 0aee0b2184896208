package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the official 5.1.4 client: push consumers that let the broker rebalance
 * ({@code setClientRebalance(false)}, QUERY_ASSIGNMENT 400) split the topic's queues between them and together
 * receive every message.
 */
@Timeout(180)
class BrokerRebalance5IT {
    @Test
    void twoConsumersRebalancedByTheBrokerShareTheQueuesAndReceiveEverything() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-it5-rebalance-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String topic = "T_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "CG_" + UUID.randomUUID().toString().substring(0, 8);
            DefaultMQProducer p = new DefaultMQProducer("PG_" + group);
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setInstanceName("p-" + group);
            p.start();
            Set<String> received = ConcurrentHashMap.newKeySet();
            AtomicInteger[] perConsumer = {new AtomicInteger(), new AtomicInteger()};
            DefaultMQPushConsumer[] consumers = new DefaultMQPushConsumer[2];
            try {
                p.send(new Message(topic, "seed".getBytes(StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
                for (int c = 0; c < 2; c++) {
                    int me = c;
                    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
                    consumer.setNamesrvAddr(quiver.namesrvAddr());
                    consumer.setInstanceName("c" + c + "-" + group);
                    consumer.setClientRebalance(false);
                    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                    consumer.subscribe(topic, "*");
                    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                        msgs.forEach(m -> received.add(new String(m.getBody(), StandardCharsets.UTF_8)));
                        perConsumer[me].addAndGet(msgs.size());
                        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                    });
                    consumer.start();
                    consumers[c] = consumer;
                }
                // both in the group before the load, so the broker's assignment gives each its share
                await().atMost(Duration.ofSeconds(30)).until(() -> consumers[0].getDefaultMQPushConsumerImpl()
                    .getRebalanceImpl().getProcessQueueTable().size() + consumers[1].getDefaultMQPushConsumerImpl()
                    .getRebalanceImpl().getProcessQueueTable().size() == 4 + 1); // and the group's retry queue
                for (int i = 0; i < 200; i++) {
                    p.send(new Message(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> received.size() == 201);
                assertThat(perConsumer[0].get()).as("each consumer read its share").isPositive();
                assertThat(perConsumer[1].get()).isPositive();
                var q0 = consumers[0].getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet();
                var q1 = consumers[1].getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet();
                assertThat(q0).doesNotContainAnyElementsOf(q1);
                // the client took the broker's assignment (it falls back to its own rebalance when a broker refuses 400)
                java.lang.reflect.Field f = org.apache.rocketmq.client.impl.consumer.RebalanceImpl.class
                    .getDeclaredField("topicBrokerRebalance");
                f.setAccessible(true);
                Map<?, ?> brokerRebalanced = (Map<?, ?>) f.get(consumers[0].getDefaultMQPushConsumerImpl().getRebalanceImpl());
                assertThat(brokerRebalanced.containsKey(topic)).as("topics the broker rebalances: %s", brokerRebalanced)
                    .isTrue();

            } finally {
                for (DefaultMQPushConsumer c : consumers) {
                    if (c != null) {
                        c.shutdown();
                    }
                }
                p.shutdown();
            }
        }
    }
}
