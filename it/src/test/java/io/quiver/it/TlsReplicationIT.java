package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a SYNC_MASTER and its replica whose ports (remoting and replication) enforce TLS. The replica
 * follows over TLS (a plain-text link would be refused), the brokers register with a permissive name server over
 * TLS, and the official 4.9.8 client with {@code setUseTLS(true)} gets SEND_OK, which a SYNC_MASTER gives only once
 * the replica has the message; with the master stopped, every message is read back from the replica over TLS.
 */
@Timeout(240)
class TlsReplicationIT {
    private static final String TOPIC = "TlsReplicated";

    @Test
    void replicationAndRegistrationRunOverTls() throws Exception {
        Path root = Files.createTempDirectory("quiver-tls-replication-");
        Path certs = root.resolve("certs");
        QuiverCli.Result made = QuiverCli.run("tls", "gen-dev-certs", certs.toString());
        assertThat(made.exitCode()).as(made.toString()).isZero();
        Map<String, String> tls = Map.of("tls.server.mode", "enforcing",
            "tls.server.certPath", certs.resolve("server.pem").toString(),
            "tls.server.keyPath", certs.resolve("server.key").toString());
        Map<String, String> masterConf = new HashMap<>(tls);
        masterConf.putAll(Map.of("brokerName", "broker-t", "brokerRole", "SYNC_MASTER",
            "haListenPort", Integer.toString(FreePorts.next())));
        Map<String, String> replicaConf = new HashMap<>(tls);
        replicaConf.putAll(Map.of("brokerName", "broker-t", "brokerRole", "SLAVE", "brokerId", "1",
            "haListenPort", Integer.toString(FreePorts.next())));
        try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
             QuiverProcess master = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(), masterConf).start();
             QuiverProcess replica = QuiverProcess.broker(root.resolve("replica"), ns.namesrvAddr(), replicaConf).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_tls_replication");
            p.setNamesrvAddr(ns.namesrvAddr());
            p.setInstanceName("tls-replication-producer");
            p.setUseTLS(true);
            p.setSendMsgTimeout(10_000);
            p.start();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                    p.send(new Message(TOPIC, "probe".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
                MessageQueue q = p.fetchPublishMessageQueues(TOPIC).get(0);
                java.util.List<SendResult> sent = new java.util.ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    SendResult r = p.send(new Message(TOPIC, ("tls-" + i).getBytes(StandardCharsets.UTF_8)), q);
                    assertThat(r.getSendStatus()).as("send %d: the replica has it", i).isEqualTo(SendStatus.SEND_OK);
                    sent.add(r);
                }
                assertThat(master.output()).noneMatch(l -> l.contains("plain-text client reached a TLS-only port"));
                assertThat(master.fetchMetrics()).as("over HTTPS: TLS is enforced")
                    .contains("quiver_replication_replicas_in_sync 1.0");

                master.close(); // what the replica has, read from it alone
                var api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                for (int i = 0; i < 50; i++) {
                    long offset = org.apache.rocketmq.common.message.MessageDecoder
                        .decodeMessageId(sent.get(i).getOffsetMsgId()).getOffset();
                    MessageExt m = api.viewMessage(replica.brokerAddr(), offset, 5_000);
                    assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("tls-" + i);
                }
            } finally {
                p.shutdown();
            }
        }
    }
}
