package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the official 5.1.4 remoting client and its {@code AclClientRPCHook}: against a standalone with
 * ACL, an account with PUB sends, one with SUB reads with the lite pull consumer, and one without PUB is refused with
 * NO_PERMISSION naming what it lacks.
 */
@Timeout(180)
class Acl5IT {
    static final String TOPIC = "Acl5Orders";

    @Test
    void signedClientsSendAndReadWhatTheirAccountsAllow() throws Exception {
        Path dir = Files.createTempDirectory("quiver-it5-acl-");
        Path acl = dir.resolve("plain_acl.yml");
        Files.writeString(acl, """
            accounts:
              - accessKey: writer5x
                secretKey: writer-secret
                defaultTopicPerm: DENY
                topicPerms:
                  - Acl5Orders=PUB
              - accessKey: reader5x
                secretKey: reader-secret
                defaultTopicPerm: SUB
                defaultGroupPerm: SUB
              - accessKey: broker5x
                secretKey: broker-secret
                admin: true
            """);
        try (QuiverProcess quiver = new QuiverProcess(dir, Map.of("aclEnable", "true", "aclFile", acl.toString(),
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"broker5x\",\"secretKey\":\"broker-secret\"}",
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            DefaultMQProducer writer = producer(quiver, "writer5x", "writer-secret");
            DefaultMQProducer reader = producer(quiver, "reader5x", "reader-secret");
            try {
                // the topic is made on the first send (auto-creation), by an account with PUB on it
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                    writer.send(new Message(TOPIC, "first".getBytes(StandardCharsets.UTF_8))).getSendStatus()
                        == SendStatus.SEND_OK);
                SendResult r = writer.send(new Message(TOPIC, "acl5".getBytes(StandardCharsets.UTF_8)));
                assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);

                Throwable refused = catchThrowable(() -> reader.send(new Message(TOPIC, "x".getBytes())));
                MQBrokerException b = cause(refused, MQBrokerException.class);
                assertThat(b).as("refused by the broker: %s", refused).isNotNull();
                assertThat(b.getResponseCode()).isEqualTo(16);
                assertThat(b.getErrorMessage()).contains("may not publish to topic " + TOPIC);

                DefaultLitePullConsumer c = new DefaultLitePullConsumer("CG_acl5",
                    new AclClientRPCHook(new SessionCredentials("reader5x", "reader-secret")));
                c.setNamesrvAddr(quiver.namesrvAddr());
                c.setInstanceName("acl5-lite");
                c.setAutoCommit(false);
                c.start();
                try {
                    MessageQueue q = new MessageQueue(TOPIC, r.getMessageQueue().getBrokerName(),
                        r.getMessageQueue().getQueueId());
                    c.assign(List.of(q));
                    c.seek(q, r.getQueueOffset());
                    List<String> got = new ArrayList<>();
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                        for (MessageExt m : c.poll(500)) {
                            got.add(new String(m.getBody(), StandardCharsets.UTF_8));
                        }
                    }
                    assertThat(got).startsWith("acl5");
                } finally {
                    c.shutdown();
                }
            } finally {
                reader.shutdown();
                writer.shutdown();
            }
        }
    }

    private static DefaultMQProducer producer(QuiverProcess quiver, String ak, String sk) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("PG_" + ak, new AclClientRPCHook(new SessionCredentials(ak, sk)));
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(ak);
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        return p;
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
