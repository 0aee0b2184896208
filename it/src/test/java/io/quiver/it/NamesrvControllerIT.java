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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: failover controllers inside the name servers ({@code enableControllerInNamesrv=true}): three
 * name servers are also the controllers, brokers reach them at the name servers' ports, and a killed master is
 * replaced.
 */
@Timeout(180)
class NamesrvControllerIT {
    private static final Path LOGS = Path.of("target", "namesrv-controller-logs");

    @Test
    void nameServersThatAreControllersElectAndReplaceAMaster() throws Exception {
        Path root = Files.createTempDirectory("quiver-namesrv-controller-");
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add("n" + i + "-127.0.0.1:" + FreePorts.next());
        }
        List<QuiverProcess> namesrvs = new ArrayList<>();
        List<QuiverProcess> brokers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                namesrvs.add(QuiverProcess.namesrv(root.resolve("ns" + i), Map.of("enableControllerInNamesrv", "true",
                    "controllerPeers", String.join(";", peers), "controllerSelfId", "n" + i)).keepLogsIn(LOGS).start());
            }
            assertThat(namesrvs.get(0).output()).anyMatch(l -> l.contains("with failover controller n0"));
            String addrs = String.join(";", namesrvs.stream().map(QuiverProcess::namesrvAddr).toList());
            for (int i = 0; i < 2; i++) {
                brokers.add(QuiverProcess.broker(root.resolve("b" + i), addrs, Map.of("brokerName", "broker-n",
                    "enableControllerMode", "true", "controllerAddr", addrs, "minInSyncReplicas", "1")).keepLogsIn(LOGS)
                    .start());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> master(addrs) != null
                && QuiverCli.run("controller", "status", "--controller", addrs).out().contains("[1,2]"));
            String first = master(addrs);

            DefaultMQProducer p = new DefaultMQProducer("PG_namesrv_controller");
            p.setNamesrvAddr(addrs);
            p.setInstanceName("namesrv-controller-" + System.nanoTime());
            p.setPollNameServerInterval(1_000);
            p.start();
            try {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> p.send(new Message("NsCtl",
                    "before".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
                brokers.stream().filter(b -> b.brokerAddr().equals(first)).findFirst().orElseThrow().kill();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    String now = master(addrs);
                    return now != null && !now.equals(first);
                });
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> p.send(new Message("NsCtl",
                    "after".getBytes(StandardCharsets.UTF_8))).getSendStatus() == SendStatus.SEND_OK);
            } finally {
                p.shutdown();
            }
        } finally {
            brokers.forEach(QuiverProcess::close);
            namesrvs.forEach(QuiverProcess::close);
        }
    }

    private static String master(String namesrvs) {
        Matcher m = Pattern.compile("broker-n +0 +(\\S+)").matcher(QuiverCli.run("cluster", "--namesrv", namesrvs).out());
        return m.find() ? m.group(1) : null;
    }
}
