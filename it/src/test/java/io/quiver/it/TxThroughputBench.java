package io.quiver.it;

import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverProcess;
import java.io.File;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bench tier: transactional send throughput (16 threads, 1 KiB, commit at once) of Apache RocketMQ 5.1.4
 * (its default ASYNC_FLUSH) and Quiver (its default SYNC_FLUSH), with the same official 4.9.8 client, run
 * alternately A B A B. Run through {@code bench/compare-tx.sh}, which resolves RocketMQ's classpath.
 * Prints msgs/s per run, medians and the ratio; asserts nothing.
 */
@Tag("bench")
@Timeout(1_800)
class TxThroughputBench {
    static final int THREADS = 16;
    static final long WARMUP_MILLIS = 5_000;
    static final long MEASURE_MILLIS = 15_000;
    /** Quiver's flush mode for the run: SYNC_FLUSH (its default) or ASYNC_FLUSH (like for like). */
    static final String FLUSH = System.getProperty("quiver.bench.flushDiskType", "SYNC_FLUSH");

    @Test
    void transactionalSendThroughputSideBySide() throws Exception {
        boolean quiverOnly = Boolean.getBoolean("bench.quiverOnly");
        String rmqCp = quiverOnly ? null : Files.readString(Path.of(System.getProperty("rocketmq.cp.file")));
        List<Double> rmq = new ArrayList<>();
        List<Double> quiver = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            if (!quiverOnly) {
                rmq.add(runRocketMq(rmqCp));
            }
            quiver.add(runQuiver());
        }
        if (quiverOnly) {
            System.out.printf("TX THROUGHPUT Quiver %s: %s -> median %.0f msgs/s%n", FLUSH, quiver, median(quiver));
            return;
        }
        double a = median(rmq);
        double b = median(quiver);
        System.out.printf("TX THROUGHPUT (16 threads, 1 KiB, commit at once): RocketMQ 5.1.4 ASYNC_FLUSH %s -> median %.0f msgs/s;"
            + " Quiver %s %s -> median %.0f msgs/s; ratio Quiver/RocketMQ %.2f%n", rmq, a, FLUSH, quiver, b, b / a);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private double runQuiver() throws Exception {
        try (QuiverProcess q = new QuiverProcess(Files.createTempDirectory("quiver-txbench-"),
            Map.of("mappedFileSizeCommitLog", Integer.toString(256 * 1024 * 1024), "flushDiskType", FLUSH)).start()) {
            return load(q.namesrvAddr());
        }
    }

    private double runRocketMq(String cp) throws Exception {
        Path home = Files.createTempDirectory("rmq-txbench-");
        int nsPort = FreePorts.next();
        int brokerPort = FreePorts.next();
        Files.writeString(home.resolve("ns.conf"), "listenPort=" + nsPort + "\n");
        Files.writeString(home.resolve("broker.conf"), String.join("\n", "brokerClusterName=DefaultCluster",
            "brokerName=broker-a", "brokerId=0", "listenPort=" + brokerPort, "namesrvAddr=127.0.0.1:" + nsPort,
            "brokerIP1=127.0.0.1", "storePathRootDir=" + home.resolve("store"),
            "storePathCommitLog=" + home.resolve("store/commitlog"), "autoCreateTopicEnable=true") + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process ns = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home, "-cp", cp,
            "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", home.resolve("ns.conf").toString())
            .redirectErrorStream(true).redirectOutput(home.resolve("ns.out").toFile()).start();
        Process broker = null;
        try {
            awaitPort(nsPort);
            broker = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home, "-cp", cp,
                "org.apache.rocketmq.broker.BrokerStartup", "-c", home.resolve("broker.conf").toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("broker.out").toFile()).start();
            awaitPort(brokerPort);
            Thread.sleep(3_000); // first registration with the name server
            return load("127.0.0.1:" + nsPort);
        } finally {
            if (broker != null) {
                broker.destroy();
                broker.waitFor(30, TimeUnit.SECONDS);
            }
            ns.destroy();
            ns.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (Exception e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("port " + port + " did not open");
    }

    /** Runs the load for warm-up + measurement; returns committed transactional sends per second measured. */
    private static double load(String namesrv) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer("PG_txbench_" + UUID.randomUUID().toString().substring(0, 6));
        p.setNamesrvAddr(namesrv);
        p.setSendMsgTimeout(10_000);
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                return LocalTransactionState.COMMIT_MESSAGE;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                return LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        p.start();
        String topic = "TxBench";
        p.sendMessageInTransaction(new Message(topic, new byte[1024]), null); // creates the topic
        Thread.sleep(1_000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        byte[] body = new byte[1024];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (p.sendMessageInTransaction(new Message(topic, body), null).getSendStatus() == SendStatus.SEND_OK
                            && measuring.get()) {
                            ok.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        Thread.sleep(WARMUP_MILLIS);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(MEASURE_MILLIS);
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread th : threads) {
            th.join(15_000);
        }
        p.shutdown();
        double rate = ok.get() / seconds;
        System.out.printf("  %s: %.0f msgs/s (%d failed)%n", namesrv, rate, failed.get());
        return rate;
    }
}
