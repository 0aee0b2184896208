package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, ACL on: the gRPC SDK signs each call with the keys of its credential provider; calls without keys,
 * with a wrong secret or (for now) of an account that is not admin are refused with PERMISSION_DENIED.
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
            """);
        quiver = new QuiverProcess(dir, Map.of("aclEnable", "true", "aclFile", acl.toString(),
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
            .setRequestTimeout(java.time.Duration.ofSeconds(5));
        if (keys != null) {
            b.setCredentialProvider(keys);
        }
        return b.build();
    }

    private static Producer producer(SessionCredentialsProvider keys) throws Exception {
        return SDK.newProducerBuilder().setClientConfiguration(conf(keys)).setTopics("GrpcAcl").build();
    }

    @Test
    void onlySignedCallsOfAnAdminAccountAreServed() throws Exception {
        try (Producer p = producer(new StaticSessionCredentialsProvider("rocketmq2", "admin-secret"))) {
            assertThat(p.send(SDK.newMessageBuilder().setTopic("GrpcAcl").setBody("ok".getBytes(StandardCharsets.UTF_8))
                .build()).getMessageId()).isNotNull();
        }
        assertThatThrownBy(() -> producer(null).close()).hasStackTraceContaining("no authorization header");
        assertThatThrownBy(() -> producer(new StaticSessionCredentialsProvider("rocketmq2", "wrong-secret")).close())
            .hasStackTraceContaining("Signature does not match").satisfies(e -> assertThat(stackOf(e))
                .doesNotContain("admin-secret"));
        assertThatThrownBy(() -> producer(new StaticSessionCredentialsProvider("consumer1", "consumer-secret")).close())
            .hasStackTraceContaining("not an admin account");
    }

    private static String stackOf(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
