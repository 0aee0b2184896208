package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: mqadmin of rocketmq-tools 4.9.8 run as a person runs it, a child process of
 * {@code MQAdminStartup}, against {@code quiver standalone}; each command's output checked against what it states.
 * These are the commands that failed against Quiver before (their request codes were not answered).
 */
@Timeout(300)
class MqadminIT extends QuiverIT {
    static String mqadmin(String... args) {
        return io.quiver.testkit.Mqadmin.run(args);
    }

    @Test
    void nameServerConfigIsShownAndChangedForTheNextStart() throws Exception {
        String ns = quiver.namesrvAddr();
        String shown = mqadmin("getNamesrvConfig", "-n", ns);
        assertThat(shown).contains("============" + ns + "============").containsPattern("listenPort\\s+=\\s+"
            + ns.substring(ns.indexOf(':') + 1)).contains("scanNotActiveBrokerInterval");
        String updated = mqadmin("updateNamesrvConfig", "-n", ns, "-k", "scanNotActiveBrokerInterval", "-v", "7000");
        assertThat(updated).contains("update name server config success").doesNotContain("Exception");
        assertThat(Files.readString(dataDir.resolve("namesrv/namesrv-overrides.properties")))
            .contains("scanNotActiveBrokerInterval=7000");
        String refused = mqadmin("updateNamesrvConfig", "-n", ns, "-k", "kvConfigPath", "-v", "/elsewhere");
        assertThat(refused).contains("black list");
    }

    @Test
    void producerBrokerConsumeStatsExportsAndConsumeMessageShowTheCluster() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Mqadmin");
        ensureTopic(p, topic);
        for (int i = 0; i < 6; i++) {
            p.send(new Message(topic, "tag", "key" + i, ("mqadmin-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        String group = unique("CG_mqadmin");
        List<String> seen = consumeThenStop(group, topic, 7);
        assertThat(seen).hasSize(7);
        String ns = quiver.namesrvAddr();
        String broker = quiver.brokerAddr();
        @SuppressWarnings("deprecation")
        var factory = p.getDefaultMQProducerImpl().getmQClientFactory();
        factory.sendHeartbeatToAllBrokerWithLock();

        String producers = mqadmin("producer", "-n", ns, "-b", broker);
        assertThat(producers).contains(p.getProducerGroup()).contains(factory.getClientId()).contains("JAVA");

        String consumeStats = mqadmin("brokerConsumeStats", "-n", ns, "-b", broker);
        assertThat(consumeStats).contains(topic).contains(group).doesNotContain("Exception");
        assertThat(consumeStats).containsPattern("Diff Total:\\s*0");

        Path export = Files.createTempDirectory("quiver-mqadmin-export-");
        String metadata = mqadmin("exportMetadata", "-n", ns, "-c", "DefaultCluster", "-f", export.toString());
        assertThat(metadata).contains("export " + export.resolve("metadata.json") + " success");
        String json = Files.readString(export.resolve("metadata.json"));
        assertThat(json).contains("\"" + topic + "\"").contains(group).doesNotContain("\"TBW102\"")
            .doesNotContain("RMQ_SYS_TRANS_HALF_TOPIC");

        String metrics = mqadmin("exportMetrics", "-n", ns, "-c", "DefaultCluster", "-f", export.toString());
        assertThat(metrics).contains("export " + export.resolve("metrics.json") + " success");
        assertThat(Files.readString(export.resolve("metrics.json"))).contains("evaluateReport").contains("broker-a")
            .contains("normalOneDayInNum");

        String consumed = mqadmin("consumeMessage", "-n", ns, "-t", topic);
        assertThat(consumed).doesNotContain("Exception");
        for (int i = 0; i < 6; i++) {
            assertThat(consumed).contains("mqadmin-" + i);
        }

        // the store maintenance commands: entries of a queue, a retention pass now, and a clear refusal
        String cq = mqadmin("queryCq", "-n", ns, "-t", topic, "-q", "0", "-i", "0", "-c", "3");
        assertThat(cq).contains("min: 0").contains("idx: 0").contains("ConsumeQueueData{physicOffset=")
            .doesNotContain("Exception");
        assertThat(mqadmin("deleteExpiredCommitLog", "-n", ns, "-b", broker)).contains("success");
        assertThat(mqadmin("cleanExpiredCQ", "-n", ns, "-b", broker)).contains("success");
        assertThat(mqadmin("cleanUnusedTopic", "-n", ns, "-b", broker)).contains("cleanUnusedTopic is not supported");

        // statsAll reads VIEW_BROKER_STATS_DATA: 7 stored (6 and the seed), 7 taken by the group
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(40))
            .pollInterval(java.time.Duration.ofSeconds(1)).untilAsserted(() -> {
                String stats = mqadmin("statsAll", "-n", ns, "-t", topic);
                String row = stats.lines().filter(l -> l.contains(topic) && l.contains(group)).findFirst().orElseThrow();
                String[] cols = row.trim().split("\\s+");
                assertThat(cols[cols.length - 2]).as("InMsg24Hour in " + row).isEqualTo("7");
                assertThat(cols[cols.length - 1]).as("OutMsg24Hour in " + row).isEqualTo("7");
            });
    }

    @Test
    void aBrokerSettingThatIsNotLiveIsStoredForTheNextStart() throws Exception {
        String out = mqadmin("updateBrokerConfig", "-n", quiver.namesrvAddr(), "-b", quiver.brokerAddr(),
            "-k", "fileReservedTime", "-v", "96");
        assertThat(out).contains("update broker config success").doesNotContain("Exception");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(Files.readString(dataDir.resolve("broker/config/broker-overrides.properties")))
                .contains("fileReservedTime=96"));
    }

    @Test
    void consumerStatusAndConsumeDirectlyReachTheConsumerThroughTheBroker() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Relay");
        ensureTopic(p, topic);
        var sent = p.send(new Message(topic, "relay-me".getBytes(StandardCharsets.UTF_8)));
        String group = unique("CG_relay");
        List<String> consumed = new java.util.concurrent.CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> consumed.add(new String(m.getBody(), StandardCharsets.UTF_8)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> consumed.contains("relay-me"));
        @SuppressWarnings("deprecation")
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        String ns = quiver.namesrvAddr();

        String status = mqadmin("consumerStatus", "-n", ns, "-g", group, "-i", clientId);
        assertThat(status).doesNotContain("Exception").contains("#Consumer Subscription#").contains("#Consumer Offset#")
            .contains(topic);

        String direct = mqadmin("queryMsgById", "-n", ns, "-i", sent.getOffsetMsgId(), "-g", group, "-d", clientId);
        assertThat(direct).contains("CR_SUCCESS");
        await().atMost(Duration.ofSeconds(10)).until(() -> consumed.stream().filter("relay-me"::equals).count() == 2);

        String gone = mqadmin("consumerStatus", "-n", ns, "-g", group, "-i", "nobody@nowhere");
        assertThat(gone).contains("not online");
    }
}
