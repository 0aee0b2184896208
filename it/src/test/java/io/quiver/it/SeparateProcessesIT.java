package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: {@code quiver namesrv} and two {@code quiver broker} processes form one cluster;
 * an auto-created topic spans both broker groups and a consumer group drains both. A broker that stops
 * leaves the route.
 */
@Timeout(180)
class SeparateProcessesIT {

    @Test
    void oneNameServerTwoBrokersServeOneTopic() throws Exception {
        Path root = Files.createTempDirectory("quiver-cluster-");
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess a = QuiverProcess.broker(root.resolve("a"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-a", "mappedFileSizeCommitLog", "67108864")).start();
             QuiverProcess b = QuiverProcess.broker(root.resolve("b"), ns.namesrvAddr(),
                 Map.of("brokerName", "broker-b", "mappedFileSizeCommitLog", "67108864")).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_cluster");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("cluster-producer");
            p.start();
            String topic = "ClusterTopic";
            // Create the topic on both brokers through their TBW102 templates.
            p.createTopic("TBW102", topic, 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 8);
            List<MessageQueue> queues = p.fetchPublishMessageQueues(topic);
            assertThat(queues.stream().map(MessageQueue::getBrokerName).distinct()).containsExactlyInAnyOrder(
                "broker-a", "broker-b");

            Set<String> seen = ConcurrentHashMap.newKeySet();
            DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG_cluster");
            c.setNamesrvAddr(ns.namesrvAddr());
            c.setInstanceName("cluster-consumer");
            c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                msgs.forEach(m -> seen.add(m.getBrokerName() + ":" + new String(m.getBody())));
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            for (int i = 0; i < 40; i++) {
                p.send(new Message(topic, ("c-" + i).getBytes()));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= 40);
            assertThat(seen).anyMatch(s -> s.startsWith("broker-a:")).anyMatch(s -> s.startsWith("broker-b:"));

            b.stop(); // unregisters from the name server on the way out
            await().atMost(Duration.ofSeconds(20)).until(() ->
                p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl()
                    .getTopicRouteInfoFromNameServer(topic, 3_000).getBrokerDatas().size() == 1);
            c.shutdown();
            p.shutdown();
        }
    }
}
