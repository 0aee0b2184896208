package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, two broker groups behind one name server: a gRPC client given one broker's endpoint learns the
 * other broker's queues and endpoint from QueryRoute, sends to both and receives from both, as with RocketMQ's proxy.
 */
@Timeout(300)
class ClusterRouteIT {
    private static final ClientServiceProvider SDK = ClientServiceProvider.loadService();
    private static final String TOPIC = "Spread";
    private static QuiverProcess namesrv;
    private static QuiverProcess brokerA;
    private static QuiverProcess brokerB;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("quiver-itgrpc-cluster-");
        namesrv = QuiverProcess.namesrv(dir.resolve("ns")).start();
        brokerA = QuiverProcess.broker(dir.resolve("a"), namesrv.namesrvAddr(), Map.of("brokerName", "broker-a")).start();
        brokerB = QuiverProcess.broker(dir.resolve("b"), namesrv.namesrvAddr(), Map.of("brokerName", "broker-b")).start();
    }

    @AfterAll
    static void stop() {
        for (QuiverProcess p : new QuiverProcess[] {brokerB, brokerA, namesrv}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void aClientOfOneBrokersEndpointSendsToAndReceivesFromEveryBrokerOfTheTopic() throws Exception {
        DefaultMQAdminExt admin = new DefaultMQAdminExt();
        admin.setNamesrvAddr(namesrv.namesrvAddr());
        admin.setInstanceName("cluster-route-it");
        admin.start();
        try {
            for (QuiverProcess b : new QuiverProcess[] {brokerA, brokerB}) {
                admin.createAndUpdateTopicConfig(b.brokerAddr(), new TopicConfig(TOPIC, 2, 2, 6));
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                admin.examineTopicRouteInfo(TOPIC).getBrokerDatas().size() == 2);

            ClientConfiguration onlyA = ClientConfiguration.newBuilder().setEndpoints(brokerA.grpcAddress())
                .enableSsl(false).build();
            int n = 40;
            try (Producer producer = SDK.newProducerBuilder().setClientConfiguration(onlyA).setTopics(TOPIC).build()) {
                for (int i = 0; i < n; i++) {
                    producer.send(SDK.newMessageBuilder().setTopic(TOPIC).setBody(("m" + i).getBytes(StandardCharsets.UTF_8))
                        .build());
                }
            }
            TopicStatsTable stats = admin.examineTopicStats(TOPIC);
            Map<String, Long> perBroker = new HashMap<>();
            stats.getOffsetTable().forEach((mq, s) -> perBroker.merge(mq.getBrokerName(), s.getMaxOffset(), Long::sum));
            assertThat(perBroker.keySet()).containsExactlyInAnyOrder("broker-a", "broker-b");
            assertThat(perBroker.values()).as("sent to both brokers").allMatch(c -> c > 0);
            assertThat(perBroker.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(n);

            Set<String> got = new HashSet<>();
            try (SimpleConsumer consumer = SDK.newSimpleConsumerBuilder().setClientConfiguration(onlyA)
                .setConsumerGroup("CG_spread").setSubscriptionExpressions(Map.of(TOPIC, FilterExpression.SUB_ALL))
                .setAwaitDuration(Duration.ofSeconds(1)).build()) {
                long until = System.currentTimeMillis() + 60_000;
                while (got.size() < n && System.currentTimeMillis() < until) {
                    for (MessageView m : consumer.receive(16, Duration.ofSeconds(30))) {
                        got.add(StandardCharsets.UTF_8.decode(m.getBody()).toString());
                        consumer.ack(m);
                    }
                }
            }
            assertThat(got).hasSize(n);
        } finally {
            admin.shutdown();
        }
    }
}
