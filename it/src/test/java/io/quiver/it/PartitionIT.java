package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.FaultProxy;
import io.quiver.testkit.HistoryChecker;
import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a master cut off from every controller (through {@link FaultProxy}s on its controller
 * connections) while producers keep sending to it. Its lease runs out and it stops acknowledging before the
 * controllers elect another master: the two never acknowledge in the same period. Once the partition heals it
 * rejoins as a replica, and nothing acknowledged is lost.
 */
@Timeout(300)
class PartitionIT {
    private static final String TOPIC = "PartitionTopic";

    @Test
    void aMasterCutOffFromTheControllersStopsAcknowledgingBeforeAnotherIsElected() throws Exception {
        Path root = Files.createTempDirectory("quiver-partition-");
        List<FaultProxy> proxies = new ArrayList<>();
        try (ControllerCluster cluster = new ControllerCluster(root, "broker-p", 3, Map.of())
            .keepLogsIn(Path.of("target", "partition-logs"))) {
            for (String a : cluster.controllerListen) {
                proxies.add(new FaultProxy(Integer.parseInt(a.substring(a.indexOf(':') + 1))));
            }
            cluster.override(0, Map.of("controllerAddr", String.join(";", proxies.stream().map(FaultProxy::address)
                .toList())));
            cluster.startControlPlane();
            QuiverProcess first = cluster.brokers.get(0).start(); // alone, so the controllers elect it
            DefaultMQProducer p = cluster.producer("PG_partition");
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            await().atMost(Duration.ofSeconds(60)).until(() -> first.brokerAddr().equals(cluster.masterAddr(api)));
            cluster.brokers.get(1).start();
            cluster.brokers.get(2).start();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.inSyncSize() == 3);
            cluster.createTopic(TOPIC);

            FailoverLoad load = new FailoverLoad(p, TOPIC, 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.ackedBy(first.brokerAddr(), 0) > 200);
            long cutAt = System.currentTimeMillis();
            proxies.forEach(FaultProxy::cut);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                String now = cluster.masterAddr(api);
                return now != null && !now.equals(first.brokerAddr());
            });
            long electedAt = System.currentTimeMillis();
            String second = cluster.masterAddr(api);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.ackedBy(second, electedAt) > 100);

            long lastByFirst = load.acks.stream().filter(a -> a.broker().equals(first.brokerAddr()))
                .mapToLong(FailoverLoad.Ack::atMillis).max().orElseThrow();
            long firstBySecond = load.acks.stream().filter(a -> a.broker().equals(second))
                .mapToLong(FailoverLoad.Ack::atMillis).min().orElseThrow();
            System.out.printf("partition: the cut-off master's last acknowledgement %d ms after the cut, the new "
                + "master's first %d ms after it (in the route %d ms after it)%n", lastByFirst - cutAt,
                firstBySecond - cutAt, electedAt - cutAt);
            assertThat(lastByFirst).as("the old master stops before the new one starts").isLessThan(firstBySecond);
            assertThat(lastByFirst - cutAt).as("within its lease (2 s) and a little").isLessThan(3_000);

            proxies.forEach(FaultProxy::heal);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.inSyncSize() == 3);
            assertThat(cluster.masterAddr(api)).isEqualTo(second);
            FailoverLoad.sleep(1_000);
            load.stop();
            p.shutdown();

            HistoryChecker.Report report = HistoryChecker.check(load.acked(), load.attempted,
                FailoverLoad.readAll(cluster.namesrv.namesrvAddr(), TOPIC));
            System.out.println("partition: " + report.summary());
            assertThat(report.sound()).as(report.summary()).isTrue();
        } finally {
            proxies.forEach(FaultProxy::close);
        }
    }
}
