package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.body.ConsumerConnection;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, one broker and two protocols: what the gRPC SDK (5.0.7) sends, the remoting client (4.9.8) consumes
 * with the same id, tag, keys and properties, and the other way round; gRPC consumers are listed as online clients of
 * their group (consumerConnection), with their client id.
 */
@Timeout(300)
class CrossProtocolIT {
    private static final ClientServiceProvider SDK = ClientServiceProvider.loadService();
    private static QuiverProcess quiver;

    @BeforeAll
    static void start() throws Exception {
        quiver = new QuiverProcess(Files.createTempDirectory("quiver-itgrpc-x-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start();
    }

    @AfterAll
    static void stop() {
        if (quiver != null) {
            quiver.close();
        }
    }

    private static ClientConfiguration grpc() {
        return ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).enableSsl(false).build();
    }

    private static String name(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void whatTheGrpcSdkSendsARemotingConsumerReadsWithTheSameIdTagKeysAndProperties() throws Exception {
        String topic = name("XT_");
        Map<String, SendReceipt> sent = new ConcurrentHashMap<>();
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(grpc()).setTopics(topic).build()) {
            for (int i = 0; i < 10; i++) {
                SendReceipt r = producer.send(SDK.newMessageBuilder().setTopic(topic).setTag("tag" + i).setKeys("key" + i)
                    .addProperty("n", Integer.toString(i)).setBody(("g" + i).getBytes(StandardCharsets.UTF_8)).build());
                sent.put("g" + i, r);
            }
        }
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(name("XG_"));
        consumer.setNamesrvAddr(quiver.namesrvAddr());
        consumer.setInstanceName(name("i"));
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> got.put(new String(m.getBody(), StandardCharsets.UTF_8), m));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() == 10);
        } finally {
            consumer.shutdown();
        }
        for (int i = 0; i < 10; i++) {
            MessageExt m = got.get("g" + i);
            assertThat(m.getMsgId()).isEqualTo(sent.get("g" + i).getMessageId().toString());
            assertThat(m.getTags()).isEqualTo("tag" + i);
            assertThat(m.getKeys()).isEqualTo("key" + i);
            assertThat(m.getUserProperty("n")).isEqualTo(Integer.toString(i));
            assertThat(m.getReconsumeTimes()).isZero();
        }
    }

    @Test
    void whatARemotingProducerSendsTheGrpcSdkReceivesWithTheSameIdTagKeysAndProperties() throws Exception {
        String topic = name("XT_");
        DefaultMQProducer producer = new DefaultMQProducer(name("XP_"));
        producer.setNamesrvAddr(quiver.namesrvAddr());
        producer.setInstanceName(name("p"));
        producer.start();
        Map<String, SendResult> sent = new ConcurrentHashMap<>();
        try {
            for (int i = 0; i < 10; i++) {
                Message m = new Message(topic, "tag" + i, "key" + i, ("r" + i).getBytes(StandardCharsets.UTF_8));
                m.putUserProperty("n", Integer.toString(i));
                sent.put("r" + i, producer.send(m));
            }
        } finally {
            producer.shutdown();
        }
        String group = name("XG_");
        try (SimpleConsumer c = SDK.newSimpleConsumerBuilder().setClientConfiguration(grpc()).setConsumerGroup(group)
            .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL)).setAwaitDuration(Duration.ofSeconds(2))
            .build()) {
            DefaultMQAdminExt admin = new DefaultMQAdminExt();
            admin.setNamesrvAddr(quiver.namesrvAddr());
            admin.setInstanceName(name("a"));
            admin.start();
            try {
                // the group's retry topic reaches the name server with the broker's next registration, soon after
                // the consumer's first heartbeat; the admin client finds the group's broker through it
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                    ConsumerConnection conn = admin.examineConsumerConnectionInfo(group);
                    assertThat(conn.getConnectionSet()).as("the gRPC consumer is online").hasSize(1);
                    assertThat(conn.getConnectionSet().iterator().next().getClientId()).contains("@");
                });
            } finally {
                admin.shutdown();
            }
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(quiver.metricsUrl())).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics.lines().filter(l -> l.startsWith("quiver_consumer_group_clients{")
                && l.contains("group=\"" + group + "\"") && l.contains("consume_type=\"CONSUME_ACTIVELY\"")))
                .as("the gRPC consumer counts as an online client of its group").singleElement().asString()
                .endsWith(" 1.0");
            List<MessageView> got = new ArrayList<>();
            long end = System.currentTimeMillis() + 30_000;
            while (got.size() < 10 && System.currentTimeMillis() < end) {
                for (MessageView v : c.receive(16, Duration.ofSeconds(20))) {
                    got.add(v);
                    c.ack(v);
                }
            }
            assertThat(got).hasSize(10);
            for (MessageView v : got) {
                String body = StandardCharsets.UTF_8.decode(v.getBody()).toString();
                int i = Integer.parseInt(body.substring(1));
                assertThat(v.getMessageId().toString()).isEqualTo(sent.get(body).getMsgId());
                assertThat(v.getTag()).contains("tag" + i);
                assertThat(v.getKeys()).containsExactly("key" + i);
                assertThat(v.getProperties()).containsEntry("n", Integer.toString(i));
            }
        }
    }
}
