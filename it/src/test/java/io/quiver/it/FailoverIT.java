package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.HistoryChecker;
import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: automatic failover in controller mode, with the official 4.9.8 client and every part its own
 * process (a name server, three controllers, three replicas of one broker group). Under load one controller is
 * killed, then the master (SIGKILL): a new master must be in the route within 10 s; the old master restarts and
 * rejoins as a replica; then the new master is killed too. A full read of the topic is checked against every
 * acknowledged send: nothing lost, nothing moved from its acknowledged queue offset, nothing duplicated.
 */
@Timeout(300)
class FailoverIT {
    private static final String TOPIC = "FailoverTopic";

    /** The producer's acknowledged sends, and its longest time without one. */
    private static final class Load {
        final ConcurrentLinkedQueue<HistoryChecker.Acked> acked = new ConcurrentLinkedQueue<>();
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        Load(DefaultMQProducer p, int senders) {
            for (int t = 0; t < senders; t++) {
                int sender = t;
                Thread th = new Thread(() -> {
                    for (long seq = 0; !stop.get(); seq++) {
                        String key = "k-" + sender + "-" + seq;
                        attempted.add(key);
                        try {
                            SendResult r = p.send(new Message(TOPIC, key.getBytes(StandardCharsets.UTF_8)));
                            if (r.getSendStatus() == SendStatus.SEND_OK) {
                                acked.add(new HistoryChecker.Acked(key, r.getMessageQueue().getBrokerName() + "/"
                                    + r.getMessageQueue().getQueueId(), r.getQueueOffset(), sender, seq));
                                ackTimes.add(System.currentTimeMillis());
                            }
                        } catch (Exception e) {
                            sleep(20); // not acknowledged: it may or may not be stored
                        }
                    }
                }, "failover-sender-" + t);
                th.start();
                threads.add(th);
            }
        }

        long ackedAfter(long millis) {
            return ackTimes.stream().filter(t -> t > millis).count();
        }

        long longestGapMillis() {
            List<Long> times = new ArrayList<>(ackTimes);
            times.sort(null);
            long gap = 0;
            for (int i = 1; i < times.size(); i++) {
                gap = Math.max(gap, times.get(i) - times.get(i - 1));
            }
            return gap;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void killedMastersAreReplacedWithinSecondsAndNothingAcknowledgedIsLost() throws Exception {
        Path root = Files.createTempDirectory("quiver-failover-");
        try (ControllerCluster cluster = new ControllerCluster(root, "broker-f", 3, Map.of()).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_failover");
            p.setNamesrvAddr(cluster.namesrv.namesrvAddr());
            p.setInstanceName("failover-" + System.nanoTime());
            p.setPollNameServerInterval(1_000); // the default 30 s would keep producers on a dead master that long
            p.setSendMsgTimeout(3_000);
            p.start();
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.masterAddr(api) != null
                && cluster.inSyncSize() == 3);
            QuiverCli.Result created = QuiverCli.run("topic", "create", "--namesrv", cluster.namesrv.namesrvAddr(),
                "--queues", "4", TOPIC);
            assertThat(created.exitCode()).as(created.toString()).isZero();

            Load load = new Load(p, 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acked.size() > 200);

            cluster.controllers.get(0).kill(); // a controller lost: two of three still decide
            sleep(2_000);

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
            sleep(2_000);
            load.stop();
            String finalMaster = cluster.masterAddr(api);
            p.shutdown();

            List<HistoryChecker.Read> read = readAll(cluster.namesrv.namesrvAddr());
            HistoryChecker.Report report = HistoryChecker.check(load.acked, load.attempted, read);
            System.out.printf("failover: kill -> new master in the route %s ms; longest time without an "
                + "acknowledgement %d ms; %s; final master %s%n", failovers, load.longestGapMillis(), report.summary(),
                finalMaster);
            assertThat(report.sound()).as(report.summary()).isTrue();
            assertThat(failovers).allSatisfy(ms -> assertThat(ms).isLessThan(10_000));
        }
    }

    /** Kills the master; returns the milliseconds until the route names another live master that acknowledges. */
    private static long killMasterAndAwaitNew(ControllerCluster cluster, MQClientAPIImpl api, QuiverProcess master,
                                              Load load) {
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

    /** Every message of the topic, read queue by queue from the master the name servers name now. */
    private static List<HistoryChecker.Read> readAll(String namesrv) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer("CG_failover_read");
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("failover-read-" + System.nanoTime());
        c.start();
        try {
            List<HistoryChecker.Read> out = new ArrayList<>();
            for (MessageQueue mq : c.fetchSubscribeMessageQueues(TOPIC)) {
                long max = c.maxOffset(mq);
                long offset = c.minOffset(mq);
                while (offset < max) {
                    PullResult r = c.pull(mq, "*", offset, 32, 10_000);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        throw new AssertionError("reading " + mq + " at " + offset + " of " + max + ": " + r.getPullStatus());
                    }
                    for (MessageExt m : r.getMsgFoundList()) {
                        out.add(new HistoryChecker.Read(new String(m.getBody(), StandardCharsets.UTF_8),
                            mq.getBrokerName() + "/" + mq.getQueueId(), m.getQueueOffset()));
                    }
                    offset = r.getNextBeginOffset();
                }
            }
            return out;
        } finally {
            c.shutdown();
        }
    }
}
