package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: controller mode with every remoting and replication port enforcing TLS (certificates from
 * {@code quiver tls gen-dev-certs}). The brokers register with the controllers, heartbeat and report their in-sync
 * replicas over TLS (a plain-text request would be refused), a master is elected, the official 4.9.8 producer with
 * TLS gets SEND_OK, and after the master is killed another is elected and takes sends. Runs with {@code -Pchaos}:
 * TlsReplicationIT (TLS between master and replica) and FailoverIT (controller failover) cover its parts by default.
 */
@Timeout(300)
@org.junit.jupiter.api.Tag("chaos") // six processes for a minute: in -Pchaos, so the default run stays under 20 minutes
class TlsControllerIT {
    @Test
    @SuppressWarnings("deprecation")
    void controllerTrafficRunsOverTls() throws Exception {
        Path root = Files.createTempDirectory("quiver-tls-controller-");
        QuiverCli.Result made = QuiverCli.run("tls", "gen-dev-certs", root.resolve("certs").toString());
        assertThat(made.exitCode()).as(made.toString()).isZero();
        Map<String, String> tls = Map.of("tls.server.mode", "enforcing",
            "tls.server.certPath", root.resolve("certs/server.pem").toString(),
            "tls.server.keyPath", root.resolve("certs/server.key").toString());
        try (ControllerCluster cluster = new ControllerCluster(root, "broker-t", 3, Map.of(), tls)
            .keepLogsIn(Path.of("target", "tls-controller-logs")).start()) {
            DefaultMQProducer p = cluster.producer("PG_tls_controller");
            try {
                MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.masterAddr(api) != null
                    && cluster.inSyncSize() == 3);
                cluster.createTopic("TlsControlled");
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    p.send(new Message("TlsControlled", "one".getBytes(StandardCharsets.UTF_8))).getSendStatus()
                        == SendStatus.SEND_OK);
                String first = cluster.masterAddr(api);
                cluster.broker(first).kill();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    String now = cluster.masterAddr(api);
                    return now != null && !now.equals(first);
                });
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    p.send(new Message("TlsControlled", "two".getBytes(StandardCharsets.UTF_8))).getSendStatus()
                        == SendStatus.SEND_OK);
                for (var b : cluster.brokers) {
                    assertThat(b.output()).noneMatch(l -> l.contains("plain-text client reached a TLS-only port"));
                }
            } finally {
                p.shutdown();
            }
        }
    }
}
