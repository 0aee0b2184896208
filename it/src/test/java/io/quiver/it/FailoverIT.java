package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * Integration tier: automatic failover in controller mode, with the official 4.9.8 client and every part its own
 * process (a name server, three controllers, three replicas of one broker group). Under load one controller is
 * killed, then the master (SIGKILL): a new master must be in the route within 10 s; the old master restarts and
 * rejoins as a replica (cutting what only it had); then the new master is killed too, and after the load the third
 * master, so the last replica is read. A full read of the topic is checked against every
 * acknowledged send: nothing lost, nothing moved from its acknowledged queue offset, nothing duplicated; and a push
 * consumer running throughout received every acknowledged message.
 */
@Timeout(300)
class FailoverIT {
    private static final String TOPIC = "FailoverTopic";

    @Test
    void killedMastersAreReplacedWithinSecondsAndNothingAcknowledgedIsLost() throws Exception {
        Path root = Files.createTempDirectory("quiver-failover-");
        try (ControllerCluster cluster = new ControllerCluster(root, "broker-f", 3, Map.of())
            .keepLogsIn(Path.of("target", "failover-logs")).start()) {
            DefaultMQProducer p = cluster.producer("PG_failover");
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.masterAddr(api) != null
                && cluster.inSyncSize() == 3);
            cluster.createTopic(TOPIC);

            // a push consumer reads throughout: across both failovers it must receive every acknowledged message
            java.util.Set<String> consumed = java.util.concurrent.ConcurrentHashMap.newKeySet();
            org.apache.rocketmq.client.consumer.DefaultMQPushConsumer consumer =
                new org.apache.rocketmq.client.consumer.DefaultMQPushConsumer("CG_failover_push");
            consumer.setNamesrvAddr(cluster.namesrv.namesrvAddr());
            consumer.setInstanceName("failover-push-" + System.nanoTime());
            consumer.setPollNameServerInterval(1_000);
            consumer.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            consumer.subscribe(TOPIC, "*");
            consumer.registerMessageListener((org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
                (msgs, ctx) -> {
                    msgs.forEach(m -> consumed.add(new String(m.getBody(), java.nio.charset.StandardCharsets.UTF_8)));
                    return org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
            consumer.start();
            FailoverLoad load = new FailoverLoad(p, TOPIC, 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acks.size() > 200);

            cluster.controllers.get(0).kill(); // a controller lost: two of three still decide
            FailoverLoad.sleep(2_000);

            List<Long> failovers = new ArrayList<>();
            String first = cluster.masterAddr(api);
            QuiverProcess firstMaster = cluster.broker(first);
            failovers.add(killMasterAndAwaitNew(cluster, api, firstMaster, load));

            // the old master comes back: it rejoins as a replica (cutting any tail it alone had) and catches up
            firstMaster.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.inSyncSize() == 3);
            assertThat(cluster.masterAddr(api)).isNotEqualTo(first);

            QuiverProcess secondMaster = cluster.broker(cluster.masterAddr(api));
            failovers.add(killMasterAndAwaitNew(cluster, api, secondMaster, load));
            FailoverLoad.sleep(2_000);
            load.stop();
            java.util.Set<String> ackedKeys = new java.util.HashSet<>();
            load.acked().forEach(a -> ackedKeys.add(a.key()));
            await().atMost(Duration.ofSeconds(90)).until(() -> consumed.containsAll(ackedKeys));
            consumer.shutdown();

            // the master goes too: the last replica, in sync, holds everything acknowledged (it takes no sends:
            // alone it is below minInSyncReplicas, but it serves reads)
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.inSyncSize() == 2);
            String third = cluster.masterAddr(api);
            cluster.broker(third).kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                String now = cluster.masterAddr(api);
                return now != null && !now.equals(third);
            });
            String last = cluster.masterAddr(api);
            p.shutdown();

            List<HistoryChecker.Read> read = FailoverLoad.readAll(cluster.namesrv.namesrvAddr(), TOPIC);
            HistoryChecker.Report report = HistoryChecker.check(load.acked(), load.attempted, read);
            boolean cut = firstMaster.output().stream().anyMatch(l -> l.contains("(a term it lost); cutting them"));
            System.out.printf("failover: kill -> new master in the route %s ms; longest time without an "
                + "acknowledgement %d ms; the restarted first master cut a tail it alone had: %s; read from the last "
                + "replica %s: %s%n", failovers, load.longestGapMillis(), cut, last, report.summary());
            assertThat(report.sound()).as(report.summary()).isTrue();
            assertThat(failovers).allSatisfy(ms -> assertThat(ms).isLessThan(10_000));
        }
    }

    /** Kills the master; returns the milliseconds until the route names another live master that acknowledges. */
    private static long killMasterAndAwaitNew(ControllerCluster cluster, MQClientAPIImpl api, QuiverProcess master,
                                              FailoverLoad load) {
        String old = master.brokerAddr();
        long t0 = System.currentTimeMillis();
        master.kill();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String now = cluster.masterAddr(api);
            return now != null && !now.equals(old);
        });
        long failover = System.currentTimeMillis() - t0;
        long after = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(30)).until(() -> load.ackedAfter(after) > 100);
        return failover;
    }
}
