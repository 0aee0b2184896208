package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, ACL on: the gRPC SDK signs each call with the keys of its credential provider; calls without keys
 * or with a wrong secret are refused with PERMISSION_DENIED, and each call needs its account's permission on the topic
 * and group it names (FORBIDDEN otherwise).
 */
@Timeout(180)
class GrpcAclIT {
    private static final ClientServiceProvider SDK = ClientServiceProvider.loadService();
    private static QuiverProcess quiver;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("quiver-itgrpc-acl-");
        Path acl = dir.resolve("plain_acl.yml");
        Files.writeString(acl, """
            accounts:
              - accessKey: rocketmq2
                secretKey: admin-secret
                admin: true
              - accessKey: consumer1
                secretKey: consumer-secret
                defaultTopicPerm: SUB
                defaultGroupPerm: SUB
              - accessKey: producer1
                secretKey: producer-secret
                defaultTopicPerm: DENY
                defaultGroupPerm: DENY
                topicPerms:
                  - GrpcAcl=PUB
            """);
        quiver = new QuiverProcess(dir, Map.of("aclEnable", "true", "aclFile", acl.toString(),
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"rocketmq2\",\"secretKey\":\"admin-secret\"}",
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start();
    }

    @AfterAll
    static void stop() {
        if (quiver != null) {
            quiver.close();
        }
    }

    private static ClientConfiguration conf(SessionCredentialsProvider keys) {
        org.apache.rocketmq.client.apis.ClientConfigurationBuilder b = ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).enableSsl(false)
            .setRequestTimeout(Duration.ofSeconds(5));
        if (keys != null) {
            b.setCredentialProvider(keys);
        }
        return b.build();
    }

    private static Producer producer(SessionCredentialsProvider keys) throws Exception {
        return SDK.newProducerBuilder().setClientConfiguration(conf(keys)).setTopics("GrpcAcl").build();
    }

    private static void send(Producer p, String body) throws Exception {
        p.send(SDK.newMessageBuilder().setTopic("GrpcAcl").setBody(body.getBytes(StandardCharsets.UTF_8)).build());
    }

    @Test
    void signedCallsAreServedAsFarAsTheAccountsPermissionsGo() throws Exception {
        try (Producer p = producer(new StaticSessionCredentialsProvider("rocketmq2", "admin-secret"))) {
            send(p, "from-admin");
        }
        try (Producer p = producer(new StaticSessionCredentialsProvider("producer1", "producer-secret"))) {
            send(p, "from-producer");
        }
        try (Producer p = producer(new StaticSessionCredentialsProvider("consumer1", "consumer-secret"))) {
            assertThatThrownBy(() -> send(p, "x")).hasStackTraceContaining("may not publish to topic GrpcAcl");
        }
        java.util.Set<String> got = new java.util.HashSet<>();
        try (SimpleConsumer c = SDK.newSimpleConsumerBuilder().setClientConfiguration(conf(
                new StaticSessionCredentialsProvider("consumer1", "consumer-secret"))).setConsumerGroup("CG_grpc_acl")
            .setSubscriptionExpressions(Map.of("GrpcAcl", FilterExpression.SUB_ALL)).setAwaitDuration(Duration.ofSeconds(1))
            .build()) {
            long until = System.currentTimeMillis() + 30_000;
            while (got.size() < 2 && System.currentTimeMillis() < until) {
                for (MessageView m : c.receive(16, Duration.ofSeconds(30))) {
                    got.add(StandardCharsets.UTF_8.decode(m.getBody()).toString());
                    c.ack(m);
                }
            }
        }
        assertThat(got).containsExactlyInAnyOrder("from-admin", "from-producer");
        assertThatThrownBy(() -> {
            try (SimpleConsumer c = SDK.newSimpleConsumerBuilder().setClientConfiguration(conf(
                    new StaticSessionCredentialsProvider("producer1", "producer-secret"))).setConsumerGroup("CG_grpc_acl")
                .setSubscriptionExpressions(Map.of("GrpcAcl", FilterExpression.SUB_ALL))
                .setAwaitDuration(Duration.ofSeconds(1)).build()) {
                c.receive(16, Duration.ofSeconds(30));
            }
        }).hasStackTraceContaining("may not subscribe to");

        assertThatThrownBy(() -> producer(null).close()).hasStackTraceContaining("no authorization header");
        assertThatThrownBy(() -> producer(new StaticSessionCredentialsProvider("rocketmq2", "wrong-secret")).close())
            .hasStackTraceContaining("Signature does not match").satisfies(e -> assertThat(stackOf(e))
                .doesNotContain("admin-secret"));
    }

    private static String stackOf(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
