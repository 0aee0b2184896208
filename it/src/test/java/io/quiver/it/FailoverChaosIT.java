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
import java.util.Random;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos tier ({@code mvn -Pchaos verify -pl it -Dit.test=FailoverChaosIT}): a controller-mode cluster (three
 * controllers, three replicas, each broker's controller connections through its own {@link FaultProxy}) under
 * load takes {@code quiver.failover.faults} (default 50) random faults one after another: SIGKILL of the master or
 * of a replica (restarted after a while), SIGSTOP/SIGCONT of the master, a broker cut off from every controller,
 * SIGKILL of a controller. After each the cluster must recover (a master acknowledging, all three in sync).
 * Then the history checker reads everything back: nothing acknowledged lost, moved or duplicated.
 * {@code -Dquiver.failover.seed} replays a run.
 */
@Tag("chaos")
@Timeout(3_600)
class FailoverChaosIT {
    private static final String TOPIC = "FailoverChaos";

    @Test
    void fiftyRandomFaultsLoseNothingAcknowledged() throws Exception {
        int faults = Integer.getInteger("quiver.failover.faults", 50);
        long seed = Long.getLong("quiver.failover.seed", System.nanoTime());
        Random rnd = new Random(seed);
        // -Dquiver.failover.kinds=0,2 limits the faults to those kinds (numbered as in the summary line)
        int[] kinds = java.util.Arrays.stream(System.getProperty("quiver.failover.kinds", "0,1,2,3,4").split(","))
            .mapToInt(k -> Integer.parseInt(k.trim())).toArray();
        System.out.println("failover chaos: seed " + seed + ", " + faults + " faults");
        Path root = Files.createTempDirectory("quiver-failover-chaos-");
        List<List<FaultProxy>> proxies = new ArrayList<>();
        Path logs = Path.of("target", "failover-chaos-logs", Long.toString(seed));
        try (ControllerCluster cluster = new ControllerCluster(root, "broker-x", 3, Map.of()).keepLogsIn(logs)) {
            for (int b = 0; b < 3; b++) {
                List<FaultProxy> mine = new ArrayList<>();
                for (String a : cluster.controllerListen) {
                    mine.add(new FaultProxy(Integer.parseInt(a.substring(a.indexOf(':') + 1))));
                }
                proxies.add(mine);
                cluster.override(b, Map.of("controllerAddr", String.join(";", mine.stream().map(FaultProxy::address)
                    .toList())));
            }
            cluster.start();
            DefaultMQProducer p = cluster.producer("PG_failover_chaos");
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.masterAddr(api) != null
                && cluster.inSyncSize() == 3);
            cluster.createTopic(TOPIC);
            FailoverLoad load = new FailoverLoad(p, TOPIC, 4);
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acks.size() > 100);

            List<Long> failovers = new ArrayList<>();
            int[] counts = new int[5];
            for (int i = 0; i < faults; i++) {
                String master = cluster.masterAddr(api);
                QuiverProcess m = master == null ? null : cluster.broker(master);
                int kind = kinds[rnd.nextInt(kinds.length)];
                counts[kind]++;
                long t0 = System.currentTimeMillis();
                switch (kind) {
                    case 0 -> { // the master's machine dies; it comes back later
                        m.kill();
                        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                            String now = cluster.masterAddr(api);
                            return now != null && !now.equals(master);
                        });
                        failovers.add(System.currentTimeMillis() - t0);
                        FailoverLoad.sleep(rnd.nextInt(3_000));
                        m.start();
                    }
                    case 1 -> { // a replica dies and comes back
                        QuiverProcess r = cluster.brokers.stream().filter(b -> !b.brokerAddr().equals(master))
                            .toList().get(rnd.nextInt(2));
                        r.kill();
                        FailoverLoad.sleep(rnd.nextInt(3_000));
                        r.start();
                    }
                    case 2 -> { // the master freezes (a long GC, a stalled VM) and wakes up
                        m.suspend();
                        FailoverLoad.sleep(1_000 + rnd.nextInt(5_000));
                        m.resume();
                    }
                    case 3 -> { // a broker loses the controllers
                        List<FaultProxy> cut = proxies.get(rnd.nextInt(3));
                        cut.forEach(FaultProxy::cut);
                        FailoverLoad.sleep(2_000 + rnd.nextInt(6_000));
                        cut.forEach(FaultProxy::heal);
                    }
                    default -> { // a controller dies and comes back
                        QuiverProcess c = cluster.controllers.get(rnd.nextInt(3));
                        c.kill();
                        FailoverLoad.sleep(1_000 + rnd.nextInt(2_000));
                        c.start();
                    }
                }
                long after = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(90)).until(() -> cluster.masterAddr(api) != null
                    && cluster.inSyncSize() == 3 && load.ackedAfter(after) > 20);
                System.out.printf("fault %d (kind %d) at %tT.%<tL recovered after %d ms%n", i, kind, t0,
                    System.currentTimeMillis() - t0);
            }
            load.stop();
            p.shutdown();
            HistoryChecker.Report report = HistoryChecker.check(load.acked(), load.attempted,
                FailoverLoad.readAll(cluster.namesrv.namesrvAddr(), TOPIC));
            System.out.println("process logs: " + logs.toAbsolutePath());
            System.out.printf("failover chaos (seed %d): faults by kind [master kill, replica kill, master freeze, "
                + "broker cut from controllers, controller kill] %s; master kill -> new master in the route %s ms; "
                + "longest time without an acknowledgement %d ms (from %tT.%<tL); %s%n", seed,
                java.util.Arrays.toString(counts), failovers, load.longestGap()[1], load.longestGap()[0], report.summary());
            assertThat(report.sound()).as("seed " + seed + ": " + report.summary()).isTrue();
        } finally {
            proxies.forEach(l -> l.forEach(FaultProxy::close));
        }
    }
}
