package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;
import org.apache.rocketmq.client.apis.producer.TransactionResolution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the RocketMQ 5 Java SDK (rocketmq-client-java 5.0.7, gRPC) against the broker's gRPC endpoint:
 * producers with TLS (the SDK's default) and consumers in plain text on the same port; a simple consumer receives
 * what was sent with its tag, keys and properties, acknowledges it, gets a message back after changing its
 * invisible time, filters by tag and SQL92; transactions commit, roll back, and are resolved by the producer's
 * checker when the broker asks; bad input gets the SDK's own exceptions.
 */
@Timeout(300)
class GrpcSdkIT {
    private static final ClientServiceProvider SDK = ClientServiceProvider.loadService();
    private static QuiverProcess quiver;

    @BeforeAll
    static void start() throws Exception {
        quiver = new QuiverProcess(Files.createTempDirectory("quiver-itgrpc-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024), "transactionCheckInterval", "1000",
            "transactionTimeOut", "1000", "transactionCheckMax", "5")).start();
    }

    @AfterAll
    static void stop() {
        if (quiver != null) {
            quiver.close();
        }
    }

    private static ClientConfiguration tls() {
        return ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).build();
    }

    private static ClientConfiguration plain() {
        return ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).enableSsl(false).build();
    }

    private static String name(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private static SimpleConsumer consumer(String group, String topic, FilterExpression filter) throws Exception {
        return SDK.newSimpleConsumerBuilder().setClientConfiguration(plain()).setConsumerGroup(group)
            .setSubscriptionExpressions(Map.of(topic, filter)).setAwaitDuration(Duration.ofSeconds(2)).build();
    }

    /** Receives until {@code count} messages came or 30 s passed; acknowledges them when {@code ack}. */
    private static List<MessageView> receive(SimpleConsumer c, int count, boolean ack) throws Exception {
        List<MessageView> got = new ArrayList<>();
        long end = System.currentTimeMillis() + 30_000;
        while (got.size() < count && System.currentTimeMillis() < end) {
            for (MessageView v : c.receive(16, Duration.ofSeconds(20))) {
                got.add(v);
                if (ack) {
                    c.ack(v);
                }
            }
        }
        return got;
    }

    private static String body(MessageView v) {
        return StandardCharsets.UTF_8.decode(v.getBody()).toString();
    }

    @Test
    void whatAProducerSendsOverTlsASimpleConsumerReceivesInPlainTextWithItsTagKeysAndProperties() throws Exception {
        String topic = name("GT_");
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(tls()).setTopics(topic).build();
             SimpleConsumer c = consumer(name("GG_"), topic, FilterExpression.SUB_ALL)) {
            Map<String, String> sentIds = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                Message m = SDK.newMessageBuilder().setTopic(topic).setTag("tag" + (i % 2)).setKeys("k" + i, "common")
                    .addProperty("index", Integer.toString(i)).setBody(("body-" + i).getBytes(StandardCharsets.UTF_8))
                    .build();
                SendReceipt r = producer.send(m);
                sentIds.put(r.getMessageId().toString(), "body-" + i);
            }
            List<MessageView> got = receive(c, 20, true);
            assertThat(got).hasSize(20);
            for (MessageView v : got) {
                String b = body(v);
                int i = Integer.parseInt(b.substring("body-".length()));
                assertThat(sentIds).containsEntry(v.getMessageId().toString(), b);
                assertThat(v.getTopic()).isEqualTo(topic);
                assertThat(v.getTag()).contains("tag" + (i % 2));
                assertThat(v.getKeys()).containsExactlyInAnyOrder("k" + i, "common");
                assertThat(v.getProperties()).containsEntry("index", Integer.toString(i));
                assertThat(v.getDeliveryAttempt()).isEqualTo(1);
            }
            assertThat(c.receive(16, Duration.ofSeconds(20))).as("everything was acknowledged").isEmpty();
        }
    }

    @Test
    void aMessageWhoseInvisibleTimeIsShortenedComesBackWithItsAttemptRaisedAndAnAckedOneDoesNot() throws Exception {
        String topic = name("GT_");
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(plain()).setTopics(topic).build();
             SimpleConsumer c = consumer(name("GG_"), topic, FilterExpression.SUB_ALL)) {
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("keep".getBytes(StandardCharsets.UTF_8)).build());
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("again".getBytes(StandardCharsets.UTF_8)).build());
            List<MessageView> first = receive(c, 2, false);
            assertThat(first).extracting(GrpcSdkIT::body).containsExactlyInAnyOrder("keep", "again");
            for (MessageView v : first) {
                if (body(v).equals("keep")) {
                    c.ack(v);
                } else {
                    c.changeInvisibleDuration(v, Duration.ofSeconds(1));
                }
            }
            List<MessageView> second = receive(c, 1, true);
            assertThat(second).extracting(GrpcSdkIT::body).containsExactly("again");
            assertThat(second.get(0).getDeliveryAttempt()).isEqualTo(2);
            assertThat(c.receive(16, Duration.ofSeconds(20))).isEmpty();
        }
    }

    @Test
    void tagAndSqlFiltersDeliverOnlyMatchingMessages() throws Exception {
        String topic = name("GT_");
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(plain()).setTopics(topic).build();
             SimpleConsumer byTag = consumer(name("GG_"), topic, new FilterExpression("red || blue"));
             SimpleConsumer bySql = consumer(name("GG_"), topic, new FilterExpression("n > 5",
                 FilterExpressionType.SQL92))) {
            String[] tags = {"red", "green", "blue"};
            for (int i = 0; i < 9; i++) {
                producer.send(SDK.newMessageBuilder().setTopic(topic).setTag(tags[i % 3]).addProperty("n", Integer.toString(i))
                    .setBody(("m" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            assertThat(receive(byTag, 6, true)).extracting(GrpcSdkIT::body)
                .containsExactlyInAnyOrder("m0", "m2", "m3", "m5", "m6", "m8");
            assertThat(receive(bySql, 3, true)).extracting(GrpcSdkIT::body).containsExactlyInAnyOrder("m6", "m7", "m8");
            assertThat(byTag.receive(16, Duration.ofSeconds(20))).isEmpty();
        }
    }

    @Test
    void transactionsCommitRollBackAndAreResolvedByTheCheckerWhenTheBrokerAsks() throws Exception {
        String topic = name("GT_");
        Set<String> checked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(tls()).setTopics(topic)
                 .setTransactionChecker(view -> {
                     checked.add(body(view));
                     return body(view).equals("checked-commit") ? TransactionResolution.COMMIT : TransactionResolution.ROLLBACK;
                 }).build();
             SimpleConsumer c = consumer(name("GG_"), topic, FilterExpression.SUB_ALL)) {
            Transaction t1 = producer.beginTransaction();
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("committed".getBytes(StandardCharsets.UTF_8))
                .build(), t1);
            t1.commit();
            Transaction t2 = producer.beginTransaction();
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("rolled-back".getBytes(StandardCharsets.UTF_8))
                .build(), t2);
            t2.rollback();
            Transaction t3 = producer.beginTransaction();
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("checked-commit".getBytes(StandardCharsets.UTF_8))
                .build(), t3); // left open: the broker asks the producer after transactionTimeOut
            Transaction t4 = producer.beginTransaction();
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("checked-rollback".getBytes(StandardCharsets.UTF_8))
                .build(), t4);

            List<MessageView> got = receive(c, 2, true);
            assertThat(got).extracting(GrpcSdkIT::body).containsExactlyInAnyOrder("committed", "checked-commit");
            assertThat(checked).contains("checked-commit", "checked-rollback");
            assertThat(c.receive(16, Duration.ofSeconds(20))).as("rolled back twice, never delivered").isEmpty();
        }
    }

    @Test
    void badInputGetsTheSdksExceptionsAndStoresNothing() throws Exception {
        String topic = name("GT_");
        try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(plain()).setTopics(topic).build();
             SimpleConsumer c = consumer(name("GG_"), topic, FilterExpression.SUB_ALL)) {
            byte[] huge = new byte[4 * 1024 * 1024 + 1];
            // the SDK refuses it itself, at the limit the broker told it in its settings (maxMessageSize)
            assertThatThrownBy(() -> producer.send(SDK.newMessageBuilder().setTopic(topic).setBody(huge).build()))
                .hasMessageContaining("max size=4194304");
            assertThatThrownBy(() -> producer.send(SDK.newMessageBuilder().setTopic(topic)
                .addProperty("UNIQ_KEY", "forged").setBody("x".getBytes(StandardCharsets.UTF_8)).build()))
                .hasMessageContaining("40007");
            producer.send(SDK.newMessageBuilder().setTopic(topic).setBody("ok".getBytes(StandardCharsets.UTF_8)).build());
            List<MessageView> got = receive(c, 1, true);
            assertThat(got).extracting(GrpcSdkIT::body).containsExactly("ok");
            assertThat(c.receive(16, Duration.ofSeconds(20))).as("nothing refused was stored").isEmpty();
        }
    }
}
