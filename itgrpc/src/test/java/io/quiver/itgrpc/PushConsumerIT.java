package io.quiver.itgrpc;

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
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the RocketMQ 5 Java SDK's push consumer (QueryAssignment, ReceiveMessage with renewal,
 * AckMessage, ChangeInvisibleDuration as its nack): every message is consumed; one that fails once comes back with
 * its attempt raised after the group's first retry delay; one that always fails goes to the group's dead-letter
 * queue after retryMaxTimes redeliveries. The broker's delay levels are one second here so the test is quick.
 */
@Timeout(300)
class PushConsumerIT {
    private static final ClientServiceProvider SDK = ClientServiceProvider.loadService();

    @Test
    void aPushConsumerConsumesEverythingRetriesAFailureAndDeadLettersWhatAlwaysFails() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-itgrpc-push-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "messageDelayLevel", "1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s")).start()) {
            String topic = "PT_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "PG_" + UUID.randomUUID().toString().substring(0, 8);
            DefaultMQAdminExt admin = new DefaultMQAdminExt();
            admin.setNamesrvAddr(quiver.namesrvAddr());
            admin.setInstanceName("a-" + group);
            admin.start();
            try {
                SubscriptionGroupConfig g = new SubscriptionGroupConfig();
                g.setGroupName(group);
                g.setRetryMaxTimes(2);
                admin.createAndUpdateSubscriptionGroupConfig(quiver.brokerAddr(), g);

                ClientConfiguration conf = ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).build();
                Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
                Map<String, Integer> attempts = new ConcurrentHashMap<>();
                try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(conf).setTopics(topic).build();
                     PushConsumer consumer = SDK.newPushConsumerBuilder().setClientConfiguration(conf).setConsumerGroup(group)
                         .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL))
                         .setMessageListener(view -> {
                             String body = StandardCharsets.UTF_8.decode(view.getBody()).toString();
                             int n = deliveries.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                             attempts.put(body, view.getDeliveryAttempt());
                             if (body.equals("always-fails") || body.equals("fails-once") && n == 1) {
                                 return ConsumeResult.FAILURE;
                             }
                             return ConsumeResult.SUCCESS;
                         }).build()) {
                    for (int i = 0; i < 50; i++) {
                        producer.send(SDK.newMessageBuilder().setTopic(topic).setBody(("m" + i).getBytes(StandardCharsets.UTF_8))
                            .build());
                    }
                    producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("fails-once".getBytes(StandardCharsets.UTF_8))
                        .build());
                    producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("always-fails".getBytes(StandardCharsets.UTF_8))
                        .build());

                    await().atMost(Duration.ofSeconds(90)).until(() -> deliveries.size() == 52);
                    await().atMost(Duration.ofSeconds(90)).until(() -> deliveries.get("fails-once").get() == 2);
                    assertThat(attempts.get("fails-once")).isEqualTo(2);
                    await().atMost(Duration.ofSeconds(120)).until(() -> {
                        try {
                            return admin.maxOffset(new MessageQueue("%DLQ%" + group, "broker-a", 0)) == 1;
                        } catch (Exception e) {
                            return false; // the dead-letter topic does not exist yet
                        }
                    });
                    assertThat(deliveries.get("always-fails").get()).as("delivered once and redelivered retryMaxTimes")
                        .isEqualTo(3);
                    for (int i = 0; i < 50; i++) {
                        assertThat(deliveries.get("m" + i).get()).as("m" + i + " consumed once").isEqualTo(1);
                    }
                }
            } finally {
                admin.shutdown();
            }
        }
    }

    @Test
    void aFifoPushConsumerGetsEachMessageGroupInOrderAlsoAcrossARetry() throws Exception {
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-itgrpc-fifo-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "messageDelayLevel", "1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s")).start()) {
            String topic = "FT_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "FG_" + UUID.randomUUID().toString().substring(0, 8);
            DefaultMQAdminExt admin = new DefaultMQAdminExt();
            admin.setNamesrvAddr(quiver.namesrvAddr());
            admin.setInstanceName("a-" + group);
            admin.start();
            try {
                // consumeMessageOrderly is a RocketMQ 5 field the 4.9.8 admin does not know: sent as raw JSON
                org.apache.rocketmq.remoting.protocol.RemotingCommand update = org.apache.rocketmq.remoting.protocol
                    .RemotingCommand.createRequestCommand(200, null); // UPDATE_AND_CREATE_SUBSCRIPTIONGROUP
                update.setBody(("{\"groupName\":\"" + group + "\",\"consumeEnable\":true,\"consumeMessageOrderly\":true,"
                    + "\"retryMaxTimes\":16,\"retryQueueNums\":1}").getBytes(StandardCharsets.UTF_8));
                org.apache.rocketmq.remoting.netty.NettyRemotingClient raw = new org.apache.rocketmq.remoting.netty
                    .NettyRemotingClient(new org.apache.rocketmq.remoting.netty.NettyClientConfig());
                raw.start();
                try {
                    assertThat(raw.invokeSync(quiver.brokerAddr(), update, 5_000).getCode()).isZero();
                } finally {
                    raw.shutdown();
                }
                ClientConfiguration conf = ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).build();
                Map<String, java.util.List<Integer>> seen = new ConcurrentHashMap<>();
                AtomicInteger failures = new AtomicInteger();
                try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(conf).setTopics(topic).build();
                     PushConsumer consumer = SDK.newPushConsumerBuilder().setClientConfiguration(conf).setConsumerGroup(group)
                         .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL))
                         .setMessageListener(view -> {
                             String[] body = StandardCharsets.UTF_8.decode(view.getBody()).toString().split(":");
                             if (body[0].equals("g1") && body[1].equals("3") && failures.getAndIncrement() == 0) {
                                 return ConsumeResult.FAILURE; // consumed again before anything after it
                             }
                             seen.computeIfAbsent(body[0], k -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()))
                                 .add(Integer.parseInt(body[1]));
                             return ConsumeResult.SUCCESS;
                         }).build()) {
                    for (int i = 0; i < 20; i++) {
                        for (int k = 0; k < 4; k++) {
                            producer.send(SDK.newMessageBuilder().setTopic(topic).setMessageGroup("g" + k)
                                .setBody(("g" + k + ":" + i).getBytes(StandardCharsets.UTF_8)).build());
                        }
                    }
                    await().atMost(Duration.ofSeconds(120)).until(() -> seen.values().stream().mapToInt(java.util.List::size)
                        .sum() >= 80);
                    java.util.List<Integer> expected = java.util.stream.IntStream.range(0, 20).boxed().toList();
                    for (int k = 0; k < 4; k++) {
                        assertThat(seen.get("g" + k)).as("group g" + k + " in order, each once").isEqualTo(expected);
                    }
                    assertThat(failures.get()).isGreaterThanOrEqualTo(2);
                }
            } finally {
                admin.shutdown();
            }
        }
    }
}
