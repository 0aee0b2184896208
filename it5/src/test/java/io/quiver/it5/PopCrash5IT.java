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
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * Integration tier with the official 5.1.4 client: the broker is killed (SIGKILL) while a push consumer pops and
 * acknowledges, and started again on its data. Every message still arrives; the ones that arrive twice are only
 * those popped and not yet acknowledged at the kill, or whose acknowledgement had not reached the pop log.
 */
@Timeout(240)
class PopCrash5IT {
    @Test
    void aKilledBrokerLosesNoMessageAndRedeliversOnlyTheLastMomentsAcknowledgements() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-it5-pop-crash-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String topic = "T_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "CG_" + UUID.randomUUID().toString().substring(0, 8);
            DefaultMQProducer p = new DefaultMQProducer("PG_" + group);
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setInstanceName("p-" + group);
            p.start();
            Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
            DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
            try {
                p.send(new Message(topic, "seed".getBytes(StandardCharsets.UTF_8)));
                await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
                p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl().setMessageRequestMode(
                    quiver.brokerAddr(), topic, group, MessageRequestMode.POP, 0, 5_000);
                for (int i = 0; i < 2_000; i++) {
                    p.send(new Message(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
                p.shutdown();

                consumer.setNamesrvAddr(quiver.namesrvAddr());
                consumer.setInstanceName("c-" + group);
                consumer.setClientRebalance(false);
                consumer.setPopInvisibleTime(5_000);
                consumer.setPopBatchNums(8);
                consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                consumer.subscribe(topic, "*");
                consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                    try {
                        Thread.sleep(2); // slow enough that the kill lands mid-way
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    msgs.forEach(m -> deliveries.computeIfAbsent(new String(m.getBody(), StandardCharsets.UTF_8),
                        k -> new AtomicInteger()).incrementAndGet());
                    ackTimes.add(System.currentTimeMillis());
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                consumer.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.size() >= 700);
                long killedAt = System.currentTimeMillis();
                quiver.kill();
                int beforeKill = deliveries.size();
                quiver.start();

                await().atMost(Duration.ofSeconds(120)).until(() -> deliveries.size() == 2_001);
                Thread.sleep(7_000); // past the invisible time of the last acknowledged pops
                long twice = deliveries.values().stream().filter(n -> n.get() > 1).count();
                long lastSeconds = ackTimes.stream().filter(t -> t > killedAt - 3_000 && t <= killedAt).count();
                System.out.printf("POP across kill -9: %d of 2001 delivered before the kill, all delivered after; %d "
                    + "delivered twice; %d acknowledgements in the 3 s before the kill%n", beforeKill, twice, lastSeconds);
                assertThat(deliveries).hasSize(2_001);
                // what was popped and not yet acknowledged (at most the client's 96 waiting acks and a batch) or whose
                // acknowledgement was on its way comes again; nothing acknowledged earlier does
                assertThat(twice).as("redelivered after the kill").isLessThanOrEqualTo(96 + 2 * 8);
            } finally {
                consumer.shutdown();
            }
        }
    }
}
