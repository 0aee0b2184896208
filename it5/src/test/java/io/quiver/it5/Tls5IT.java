package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
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
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the official 5.1.4 remoting client: a standalone that enforces TLS (certificates from
 * {@code quiver tls gen-dev-certs}); the client with {@code setUseTLS(true)} produces and push-consumes, in plain
 * text it is refused at once with the reason.
 */
@Timeout(180)
class Tls5IT {
    @Test
    void aTlsClientProducesAndConsumesAndAPlainOneIsToldWhy() throws Exception {
        Path dir = Files.createTempDirectory("quiver-it5-tls-");
        QuiverCli.Result made = QuiverCli.run("tls", "gen-dev-certs", dir.resolve("certs").toString());
        assertThat(made.exitCode()).as(made.toString()).isZero();
        try (QuiverProcess quiver = new QuiverProcess(dir, Map.of("tls.server.mode", "enforcing",
            "tls.server.certPath", dir.resolve("certs/server.pem").toString(),
            "tls.server.keyPath", dir.resolve("certs/server.key").toString(),
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String topic = "Tls5Topic";
            DefaultMQProducer p = new DefaultMQProducer("PG_tls5");
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setInstanceName("tls5-producer");
            p.setUseTLS(true);
            p.start();
            List<String> got = new CopyOnWriteArrayList<>();
            DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG_tls5");
            try {
                p.send(new Message(topic, "seed".getBytes(StandardCharsets.UTF_8)));
                for (int i = 0; i < 10; i++) {
                    assertThat(p.send(new Message(topic, ("tls5-" + i).getBytes(StandardCharsets.UTF_8)))
                        .getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
                c.setNamesrvAddr(quiver.namesrvAddr());
                c.setInstanceName("tls5-consumer");
                c.setUseTLS(true);
                c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                c.subscribe(topic, "*");
                c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                    msgs.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                c.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= 11);
                assertThat(got).hasSize(11).contains("seed");
                for (int i = 0; i < 10; i++) {
                    assertThat(got).contains("tls5-" + i);
                }
            } finally {
                c.shutdown();
                p.shutdown();
            }

            DefaultMQProducer plain = new DefaultMQProducer("PG_tls5_plain");
            plain.setNamesrvAddr(quiver.namesrvAddr());
            plain.setInstanceName("tls5-plain");
            plain.setSendMsgTimeout(5_000);
            plain.start();
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> plain.send(new Message(topic, "x".getBytes(StandardCharsets.UTF_8))))
                    .isInstanceOf(MQClientException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            } finally {
                plain.shutdown();
            }
        }
    }
}
