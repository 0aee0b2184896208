package io.quiver.loadgen;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * The workloads, each driven by the official 4.9.8 client exactly as an application would: a warm-up that
 * is not counted, then a measured window; progress on stderr every {@link #PROGRESS_SECONDS} seconds.
 */
final class Workloads {
    static final int PROGRESS_SECONDS = 5;
    /** Most asynchronous sends in flight at once per run. */
    static final int MAX_ASYNC_IN_FLIGHT = 1_024;
    static final long MAX_LATENCY_MICROS = 60_000_000;
    /** Sending threads of the producers:N workload, whatever N is. */
    static final int MANY_PRODUCERS_SENDERS = 16;

    /** What to run. */
    record Spec(String workload, int threads, int size, int batch, long warmupMillis, long durationMillis, int queues,
                long backlog, int rate) {}

    private final String namesrv;
    private final Target target;
    /** Each run uses a topic of its own, so no workload sees another's messages. */
    private String topic;

    Workloads(String namesrv, Target target) {
        this.namesrv = namesrv;
        this.target = target;
    }

    Result run(Spec s) throws Exception {
        topic = "Bench_" + s.workload() + "_" + UUID.randomUUID().toString().substring(0, 8);
        return switch (s.workload()) {
            case "sync", "async", "oneway", "batch" -> produce(s);
            case "tx" -> transactional(s);
            case "consume" -> consumeBacklog(s);
            case "e2e" -> endToEnd(s);
            case "producers" -> manyProducers(s);
            case "cold" -> consumeBacklog(s);
            default -> throw new IllegalArgumentException("unknown workload " + s.workload()
                + " (sync, async, oneway, batch, tx, consume, cold, e2e, producers)");
        };
    }

    private String label() {
        return target == null ? namesrv : target.label();
    }

    private long cpu() {
        return target == null ? 0 : ProcStats.cpuNanos(target.pids());
    }

    private static long clientCpu() {
        return ProcStats.cpuNanos(java.util.List.of(ProcessHandle.current().pid()));
    }

    /**
     * Sends to a fresh topic until a send is acknowledged (SEND_OK), for at most 60 s: a replicated broker group
     * answers SLAVE_NOT_AVAILABLE until its replica has connected and caught up.
     */
    static void awaitAcknowledgedSend(String namesrv) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("PG_bench_ready_" + UUID.randomUUID().toString().substring(0, 6));
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("bench-ready-" + UUID.randomUUID());
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            String last = "nothing sent";
            while (System.currentTimeMillis() < deadline) {
                try {
                    SendStatus st = p.send(new Message("BenchReady", "ready".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .getSendStatus();
                    if (st == SendStatus.SEND_OK) {
                        return;
                    }
                    last = st.toString();
                } catch (Exception e) {
                    last = e.getMessage();
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("no send was acknowledged within 60 s; the last answer: " + last);
        } finally {
            p.shutdown();
        }
    }

    /** Starts {@code p} as every workload's producers are set up: its own client instance, no compression. */
    private DefaultMQProducer started(DefaultMQProducer p) throws Exception {
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("bench-" + UUID.randomUUID());
        p.setSendMsgTimeout(10_000);
        p.setMaxMessageSize(8 * 1024 * 1024);
        p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE); // measure the broker, not zlib
        p.start();
        return p;
    }

    /** One synchronous send, timed; a status other than SEND_OK counts as a failure. */
    private void sendSync(DefaultMQProducer p, byte[] body, Recorder latency, AtomicLong failures) throws Exception {
        long t0 = System.nanoTime();
        if (p.send(new Message(topic, body)).getSendStatus() != SendStatus.SEND_OK) {
            failures.incrementAndGet();
        }
        latency.recordValue(Math.min(MAX_LATENCY_MICROS, (System.nanoTime() - t0) / 1000));
    }

    private DefaultMQProducer producer(DefaultMQProducer p, int queues) throws Exception {
        started(p);
        p.createTopic("TBW102", topic, queues);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (p.fetchPublishMessageQueues(topic).size() >= queues) {
                    return p;
                }
            } catch (org.apache.rocketmq.client.exception.MQClientException notYet) {
                // the route appears once the broker has registered the new topic
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("topic " + topic + " has no route with " + queues + " queues after 30 s");
    }

    /** Runs {@code body} on {@code threads} threads through warm-up and measurement; counts what it returns. */
    private Result measure(Spec s, String name, Recorder latency, AtomicLong failures, Sender body) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < s.threads(); t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        int n = body.sendOnce(measuring);
                        if (measuring.get()) {
                            count.addAndGet(n);
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }, "bench-sender-" + t);
            th.start();
            threads.add(th);
        }
        Thread.sleep(s.warmupMillis());
        latency.reset();
        failures.set(0);
        long cpu0 = cpu();
        long clientCpu0 = clientCpu();
        long t0 = System.nanoTime();
        measuring.set(true);
        progress(name, count, s.durationMillis(), t0);
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu1 = cpu();
        long clientCpu1 = clientCpu();
        long n = count.get();
        stop.set(true);
        for (Thread th : threads) {
            th.join(30_000);
        }
        return new Result(name, label(), n, seconds, s.size(), latency.getIntervalHistogram(), failures.get(), cpu1 - cpu0,
            clientCpu1 - clientCpu0);
    }

    private static void progress(String name, AtomicLong count, long durationMillis, long t0) throws InterruptedException {
        long end = t0 + TimeUnit.MILLISECONDS.toNanos(durationMillis);
        long last = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(PROGRESS_SECONDS * 1000L, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            long now = count.get();
            System.err.printf("  %s: %d msgs, %.0f msgs/s over the last interval%n", name, now,
                (now - last) / (double) Math.min(PROGRESS_SECONDS, Math.max(1e-3, durationMillis / 1000.0)));
            last = now;
        }
    }

    @FunctionalInterface
    private interface Sender {
        /** Sends once; returns the number of messages it covers. */
        int sendOnce(AtomicBoolean measuring) throws Exception;
    }

    private Result produce(Spec s) throws Exception {
        DefaultMQProducer p = producer(new DefaultMQProducer("PG_bench_" + UUID.randomUUID().toString().substring(0, 6)),
            s.queues());
        Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
        AtomicLong failures = new AtomicLong();
        byte[] body = new byte[s.size()];
        Semaphore inFlight = new Semaphore(MAX_ASYNC_IN_FLIGHT);
        String name = s.workload() + (s.workload().equals("batch") ? s.batch() : "") + "x" + s.threads();
        try {
            return measure(s, name, latency, failures, measuring -> {
                long t0 = System.nanoTime();
                switch (s.workload()) {
                    case "sync" -> {
                        sendSync(p, body, latency, failures);
                        return 1;
                    }
                    case "batch" -> {
                        List<Message> batch = new ArrayList<>(s.batch());
                        for (int i = 0; i < s.batch(); i++) {
                            batch.add(new Message(topic, body));
                        }
                        p.send(batch);
                        latency.recordValue(Math.min(MAX_LATENCY_MICROS, (System.nanoTime() - t0) / 1000));
                        return s.batch();
                    }
                    case "oneway" -> {
                        p.sendOneway(new Message(topic, body));
                        return 1;
                    }
                    default -> {
                        inFlight.acquire();
                        p.send(new Message(topic, body), new SendCallback() {
                            @Override
                            public void onSuccess(SendResult r) {
                                inFlight.release();
                                latency.recordValue(Math.min(MAX_LATENCY_MICROS, (System.nanoTime() - t0) / 1000));
                            }

                            @Override
                            public void onException(Throwable e) {
                                inFlight.release();
                                failures.incrementAndGet();
                            }
                        });
                        return 1;
                    }
                }
            });
        } finally {
            p.shutdown();
        }
    }

    private Result transactional(Spec s) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer("PG_benchtx_" + UUID.randomUUID().toString().substring(0, 6));
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
        producer(p, s.queues());
        Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
        AtomicLong failures = new AtomicLong();
        byte[] body = new byte[s.size()];
        try {
            return measure(s, "tx-commitx" + s.threads(), latency, failures, measuring -> {
                long t0 = System.nanoTime();
                if (p.sendMessageInTransaction(new Message(topic, body), null).getSendStatus() != SendStatus.SEND_OK) {
                    failures.incrementAndGet();
                }
                latency.recordValue(Math.min(MAX_LATENCY_MICROS, (System.nanoTime() - t0) / 1000));
                return 1;
            });
        } finally {
            p.shutdown();
        }
    }

    /** Stores {@code backlog} messages (batches of 32), then times one push consumer draining them. */
    private Result consumeBacklog(Spec s) throws Exception {
        DefaultMQProducer p = producer(new DefaultMQProducer("PG_benchfill_" + UUID.randomUUID().toString().substring(0, 6)),
            s.queues());
        byte[] body = new byte[s.size()];
        List<Thread> fillers = new ArrayList<>();
        AtomicLong filled = new AtomicLong();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (filled.addAndGet(32) <= s.backlog()) {
                        List<Message> batch = new ArrayList<>(32);
                        for (int i = 0; i < 32; i++) {
                            batch.add(new Message(topic, body));
                        }
                        p.send(batch);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            th.start();
            fillers.add(th);
        }
        for (Thread th : fillers) {
            th.join();
        }
        p.shutdown();
        long total = (s.backlog() / 32) * 32;
        System.err.printf("  backlog of %d messages stored%n", total);
        boolean cold = s.workload().equals("cold");
        if (cold) {
            dropPageCache();
        }
        AtomicLong consumed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG_bench_" + UUID.randomUUID().toString().substring(0, 6));
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("bench-consumer-" + UUID.randomUUID());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPullBatchSize(32);
        c.setConsumeMessageBatchMaxSize(32);
        c.subscribe(topic, "*");
        long[] firstNanos = {0};
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            if (consumed.addAndGet(msgs.size()) >= total) {
                done.countDown();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        long cpu0 = cpu();
        long clientCpu0 = clientCpu();
        long t0 = System.nanoTime();
        c.start();
        firstNanos[0] = t0;
        long deadline = System.currentTimeMillis() + Math.max(120_000, s.durationMillis() * 10);
        while (!done.await(PROGRESS_SECONDS, TimeUnit.SECONDS) && System.currentTimeMillis() < deadline) {
            System.err.printf("  consume: %d of %d%n", consumed.get(), total);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu1 = cpu();
        long clientCpu1 = clientCpu();
        c.shutdown();
        return new Result(cold ? "consume-cold-backlog" : "consume-backlog", label(), Math.min(consumed.get(), total), seconds, s.size(), null,
            Math.max(0, total - consumed.get()), cpu1 - cpu0, clientCpu1 - clientCpu0);
    }

    /**
     * Makes the stored backlog cold: writes dirty pages back and drops the page cache (needs root), so the
     * consumer's reads come from the disk, as they do for a backlog larger than memory.
     */
    private static void dropPageCache() throws Exception {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        sync.waitFor();
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys/vm/drop_caches"), "3");
            System.err.println("  page cache dropped: the backlog is read from disk");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the cold workload drops the page cache and needs root: " + e.getMessage(), e);
        }
    }

    /**
     * {@code producers:N}: N producers, each its own client instance and so its own connection (as N
     * applications would be), all connected at once; {@link #MANY_PRODUCERS_SENDERS} threads send through
     * them in turn, synchronously.
     */
    private Result manyProducers(Spec s) throws Exception {
        List<DefaultMQProducer> producers = new ArrayList<>();
        String group = "PG_benchmany_" + UUID.randomUUID().toString().substring(0, 6);
        try {
            for (int i = 0; i < s.threads(); i++) {
                DefaultMQProducer p = new DefaultMQProducer(group);
                p.setClientCallbackExecutorThreads(1);
                producers.add(i == 0 ? producer(p, s.queues()) : started(p));
            }
            System.err.printf("  %d producers started%n", producers.size());
            Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
            AtomicLong failures = new AtomicLong();
            AtomicLong turn = new AtomicLong();
            byte[] body = new byte[s.size()];
            Spec senders = new Spec(s.workload(), MANY_PRODUCERS_SENDERS, s.size(), s.batch(), s.warmupMillis(),
                s.durationMillis(), s.queues(), s.backlog(), s.rate());
            return measure(senders, "producers" + s.threads() + "x" + MANY_PRODUCERS_SENDERS, latency, failures, measuring -> {
                sendSync(producers.get((int) (turn.getAndIncrement() % producers.size())), body, latency, failures);
                return 1;
            });
        } finally {
            for (DefaultMQProducer p : producers) {
                p.shutdown();
            }
        }
    }

    /** Sends at a fixed rate; a push consumer measures the time from send to delivery. */
    private Result endToEnd(Spec s) throws Exception {
        DefaultMQProducer p = producer(new DefaultMQProducer("PG_benche2e_" + UUID.randomUUID().toString().substring(0, 6)),
            s.queues());
        Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("CG_benche2e_" + UUID.randomUUID().toString().substring(0, 6));
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("bench-e2e-" + UUID.randomUUID());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            long now = System.nanoTime();
            for (MessageExt m : msgs) {
                long sent = ByteBuffer.wrap(m.getBody()).getLong();
                if (measuring.get()) {
                    latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (now - sent) / 1000)));
                    received.incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        Thread.sleep(3_000); // rebalance
        long interval = 1_000_000_000L / Math.max(1, s.rate());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        Semaphore inFlight = new Semaphore(MAX_ASYNC_IN_FLIGHT);
        Thread sender = new Thread(() -> {
            long next = System.nanoTime();
            byte[] body = new byte[Math.max(8, s.size())];
            while (!stop.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval;
                ByteBuffer.wrap(body).putLong(System.nanoTime());
                try {
                    // asynchronous, so a slow acknowledgement never holds the rate down; bounded in flight
                    inFlight.acquire();
                    p.send(new Message(topic, body.clone()), new SendCallback() {
                        @Override
                        public void onSuccess(SendResult r) {
                            inFlight.release();
                        }

                        @Override
                        public void onException(Throwable e) {
                            inFlight.release();
                            failures.incrementAndGet();
                        }
                    });
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    inFlight.release();
                    failures.incrementAndGet();
                }
            }
        }, "bench-e2e-sender");
        sender.start();
        Thread.sleep(s.warmupMillis());
        latency.reset();
        failures.set(0);
        long cpu0 = cpu();
        long clientCpu0 = clientCpu();
        long t0 = System.nanoTime();
        measuring.set(true);
        progress("e2e@" + s.rate(), received, s.durationMillis(), t0);
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long cpu1 = cpu();
        long clientCpu1 = clientCpu();
        stop.set(true);
        sender.join(10_000);
        c.shutdown();
        p.shutdown();
        Histogram h = latency.getIntervalHistogram();
        return new Result("e2e@" + s.rate() + "/s", label(), received.get(), seconds, s.size(), h, failures.get(), cpu1 - cpu0,
            clientCpu1 - clientCpu0);
    }
}
