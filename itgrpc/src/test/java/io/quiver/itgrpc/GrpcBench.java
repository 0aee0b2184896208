package io.quiver.itgrpc;

import io.quiver.testkit.QuiverProcess;
import io.quiver.testkit.SyncLoad;
import io.quiver.testkit.SyncLoad.Figures;
import io.quiver.testkit.SyncLoad.Sender;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bench tier (never run by default): {@code mvn -B verify -pl itgrpc -Dtest=GrpcBench -DexcludedTestTags=none
 * -Dsurefire.failIfNoSpecifiedTests=false}. Against one {@code quiver standalone} on its defaults: sync sends from 64
 * threads (1 KiB bodies) through the official remoting client 4.9.8, then through the gRPC SDK 5.0.7 (plain text),
 * each after 30 s of the same load; then a backlog of 200 000 messages received and acknowledged by the SDK's push
 * consumer. Prints msgs/s and the broker's CPU per message for each; asserts nothing about time.
 */
@Tag("bench")
@Timeout(1800)
class GrpcBench {
    static final int THREADS = 64;
    static final int SIZE = 1024;
    static final long WARMUP_MILLIS = Long.getLong("quiver.bench.warmup", 30_000);
    static final long MEASURE_MILLIS = Long.getLong("quiver.bench.duration", 15_000);
    static final int BACKLOG = Integer.getInteger("quiver.bench.backlog", 200_000);

    static Figures load(long pid, Sender sender) throws Exception {
        return SyncLoad.run(pid, THREADS, SIZE, WARMUP_MILLIS, MEASURE_MILLIS, sender);
    }

    static long clientCpuNanos() {
        return SyncLoad.clientCpuNanos();
    }

    static long cpuNanos(long pid) throws Exception {
        return SyncLoad.cpuNanos(pid);
    }

    /** The broker under test: started here, or one already running ({@code -Dquiver.bench.pid}, {@code .namesrv}, {@code .grpc}). */
    record Target(long pid, String namesrvAddr, String grpcAddress) {}

    @Test
    void remotingAgainstGrpcOnOneBroker() throws Exception {
        String phases = System.getProperty("quiver.bench.phases", "send,consume");
        if (Long.getLong("quiver.bench.pid") != null) {
            run(new Target(Long.getLong("quiver.bench.pid"), System.getProperty("quiver.bench.namesrv"),
                System.getProperty("quiver.bench.grpc")), phases);
            return;
        }
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-grpc-bench-"), Map.of()).start()) {
            run(new Target(quiver.pid(), quiver.namesrvAddr(), quiver.grpcAddress()), phases);
        }
    }

    private static void run(Target quiver, String phases) throws Exception {
        long pid = quiver.pid();
        ClientServiceProvider sdk = ClientServiceProvider.loadService();
        ClientConfiguration conf = ClientConfiguration.newBuilder().setEndpoints(quiver.grpcAddress()).enableSsl(false)
            .setRequestTimeout(Duration.ofSeconds(10)).build();
        if (phases.contains("send")) {
            DefaultMQProducer remoting = new DefaultMQProducer("PG_bench");
            remoting.setNamesrvAddr(quiver.namesrvAddr());
            remoting.setSendMsgTimeout(10_000);
            remoting.start();
            Figures r = load(pid, body -> remoting.send(new Message("BenchRemoting", body)).getSendStatus()
                == SendStatus.SEND_OK);
            remoting.shutdown();
            System.out.println("RESULT remoting sync:64 " + r);

            try (Producer grpc = sdk.newProducerBuilder().setClientConfiguration(conf).setTopics("BenchGrpc").build()) {
                Figures g = load(pid, body -> {
                    grpc.send(sdk.newMessageBuilder().setTopic("BenchGrpc").setBody(body).build());
                    return true;
                });
                System.out.println("RESULT grpc sync:64 " + g);
                System.out.printf("RESULT grpc/remoting throughput %.2fx, broker CPU per message %.2fx%n",
                    g.msgsPerSec() / r.msgsPerSec(), g.brokerCpuMicrosPerMsg() / r.brokerCpuMicrosPerMsg());
            }
        }
        if (phases.contains("consume")) {
            // the backlog: BACKLOG messages stored first, then consumed by the SDK's push consumer
            String topic = "BenchBacklog";
            DefaultMQProducer filler = new DefaultMQProducer("PG_fill");
            filler.setNamesrvAddr(quiver.namesrvAddr());
            filler.start();
            // warm-up: the same group consumes while 16 threads keep storing, for WARMUP_MILLIS, then catches up
            LongAdder warmConsumed = new LongAdder();
            try (PushConsumer warm = sdk.newPushConsumerBuilder().setClientConfiguration(conf).setConsumerGroup("CG_bench")
                .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL)).setMessageListener(v -> {
                    warmConsumed.increment();
                    return ConsumeResult.SUCCESS;
                }).build()) {
                long warmSent = fill(filler, topic, Long.MAX_VALUE, System.currentTimeMillis() + WARMUP_MILLIS,
                    warmConsumed);
                long waitUntil = System.currentTimeMillis() + 120_000;
                while (warmConsumed.sum() < warmSent && System.currentTimeMillis() < waitUntil) {
                    Thread.sleep(100);
                }
                System.out.printf("warm-up: %d sent, %d consumed%n", warmSent, warmConsumed.sum());
            }
            fill(filler, topic, BACKLOG, Long.MAX_VALUE, null);
            filler.shutdown();
            CountDownLatch all = new CountDownLatch(BACKLOG);
            long k0 = clientCpuNanos();
            long c0 = cpuNanos(pid);
            long t0 = System.nanoTime();
            try (PushConsumer consumer = sdk.newPushConsumerBuilder().setClientConfiguration(conf).setConsumerGroup("CG_bench")
                .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL)).setMessageListener(v -> {
                    all.countDown();
                    return ConsumeResult.SUCCESS;
                }).build()) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                long last = BACKLOG;
                StringBuilder perSecond = new StringBuilder();
                while (!all.await(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
                    perSecond.append(last - all.getCount()).append(' ');
                    last = all.getCount();
                }
                boolean done = all.getCount() == 0;
                System.out.println("consumed per second: " + perSecond);
                double secs = (System.nanoTime() - t0) / 1e9;
                long consumed = BACKLOG - all.getCount();
                System.out.printf("RESULT grpc push consumer backlog: %d of %d in %.1f s = %.0f msgs/s, broker CPU %.1f "
                    + "µs/msg, client CPU %.1f µs/msg%s%n", consumed, BACKLOG, secs, consumed / secs,
                    (cpuNanos(pid) - c0) / 1000.0 / Math.max(1, consumed),
                    (clientCpuNanos() - k0) / 1000.0 / Math.max(1, consumed), done ? "" : " (incomplete)");
            }
        }
    }

    /**
     * Stores 1 KiB messages from 16 threads until {@code count} are stored or {@code untilMillis} has passed; while
     * {@code consumed} is given, the stored-but-unconsumed gap is kept under 50 000. Returns how many were stored.
     */
    private static long fill(DefaultMQProducer filler, String topic, long count, long untilMillis, LongAdder consumed)
        throws InterruptedException {
        AtomicLong claimed = new AtomicLong();
        LongAdder stored = new LongAdder();
        List<Thread> fill = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Thread t = new Thread(() -> {
                byte[] body = new byte[SIZE];
                while (System.currentTimeMillis() < untilMillis) {
                    try {
                        if (consumed != null && stored.sum() - consumed.sum() > 50_000) {
                            Thread.sleep(10);
                            continue;
                        }
                        if (claimed.incrementAndGet() > count) {
                            return;
                        }
                        filler.send(new Message(topic, body));
                        stored.increment();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        claimed.decrementAndGet(); // tried again
                    }
                }
            });
            t.start();
            fill.add(t);
        }
        for (Thread t : fill) {
            t.join();
        }
        return stored.sum();
    }
}
