package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: mqadmin of rocketmq-tools 5.1.4, a child process of {@code MQAdminStartup}, against
 * {@code quiver standalone} with 5.1.4 clients producing and consuming; each command's output checked.
 */
@Timeout(300)
class Mqadmin5IT {
    private static String mqadmin(String... args) {
        return io.quiver.testkit.Mqadmin.run(args);
    }

    @Test
    void theCommandsThatFailedBeforeShowTheCluster() throws Exception {
        Path dir = Files.createTempDirectory("quiver-it5-mqadmin-");
        try (QuiverProcess quiver = new QuiverProcess(dir.resolve("data"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String ns = quiver.namesrvAddr();
            String broker = quiver.brokerAddr();
            String topic = "Mqadmin5Topic";
            DefaultMQProducer p = new DefaultMQProducer("PG_mqadmin5");
            p.setNamesrvAddr(ns);
            p.setInstanceName("mqadmin5-producer");
            p.start();
            List<String> got = new CopyOnWriteArrayList<>();
            DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG_mqadmin5");
            try {
                p.send(new Message(topic, "seed".getBytes(StandardCharsets.UTF_8)));
                for (int i = 0; i < 5; i++) {
                    p.send(new Message(topic, ("five-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                c.setNamesrvAddr(ns);
                c.setInstanceName("mqadmin5-consumer");
                c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                c.subscribe(topic, "*");
                c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                    msgs.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                c.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> got.size() >= 6);
                @SuppressWarnings("deprecation")
                String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();

                assertThat(mqadmin("getNamesrvConfig", "-n", ns)).contains("scanNotActiveBrokerInterval");
                assertThat(mqadmin("producer", "-n", ns, "-b", broker)).contains("PG_mqadmin5");
                // listed once the consumer has committed an offset (every 5 s)
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(mqadmin("brokerConsumeStats", "-n", ns, "-b", broker)).contains(topic)
                        .contains("CG_mqadmin5"));
                assertThat(mqadmin("topicStatus", "-n", ns, "-t", topic)).contains("broker-a")
                    .doesNotContain("Exception");
                assertThat(mqadmin("consumerProgress", "-n", ns, "-g", "CG_mqadmin5")).contains(topic)
                    .doesNotContain("Exception");
                assertThat(mqadmin("consumerStatus", "-n", ns, "-g", "CG_mqadmin5", "-i", clientId))
                    .contains("#Consumer Subscription#").contains(topic);
                Path export = Files.createDirectories(dir.resolve("export"));
                assertThat(mqadmin("exportMetadata", "-n", ns, "-c", "DefaultCluster", "-f", export.toString()))
                    .contains("success");
                assertThat(Files.readString(export.resolve("metadata.json"))).contains(topic).contains("CG_mqadmin5");
                assertThat(mqadmin("exportMetrics", "-n", ns, "-c", "DefaultCluster", "-f", export.toString()))
                    .contains("success");
                assertThat(Files.readString(export.resolve("metrics.json"))).contains("broker-a");
                assertThat(mqadmin("updateBrokerConfig", "-n", ns, "-b", broker, "-k", "fileReservedTime", "-v",
                    "96")).contains("update broker config success");

                // the 5.x admin API's reads: a subscription (345), the topics a group has offsets on (343), a group's settings (352)
                org.apache.rocketmq.tools.admin.DefaultMQAdminExt admin = new org.apache.rocketmq.tools.admin.DefaultMQAdminExt();
                admin.setNamesrvAddr(ns);
                admin.setInstanceName("mqadmin5-api");
                admin.start();
                try {
                    // the online consumer's subscription (345), and none once it has gone
                    var sub = admin.querySubscription("CG_mqadmin5", topic);
                    assertThat(sub.getTopic()).isEqualTo(topic);
                    assertThat(sub.getSubString()).isEqualTo("*");
                    c.shutdown(); // commits its offsets
                    assertThat(admin.querySubscription("CG_mqadmin5", topic)).as("no consumer online").isNull();
                    assertThat(admin.queryTopicsByConsumer("CG_mqadmin5").getTopicList()).contains(topic);
                    @SuppressWarnings("deprecation")
                    var api = admin.getDefaultMQAdminExtImpl().getMqClientInstance().getMQClientAPIImpl();
                    assertThat(api.getSubscriptionGroupConfig(broker, "CG_mqadmin5", 5_000).getGroupName())
                        .isEqualTo("CG_mqadmin5");
                } finally {
                    admin.shutdown();
                }
            } finally {
                c.shutdown();
                p.shutdown();
            }
        }
    }
}
