package io.quiver.it;

import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * Base of the integration tier: one {@code quiver standalone} child process per test class, official
 * 4.9.8 clients created through helpers that shut them down after each test, and unique names per test.
 */
abstract class QuiverIT {
    protected static QuiverProcess quiver;
    protected static Path dataDir;
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final List<Runnable> cleanups = new ArrayList<>();

    /** Extra broker.conf settings for the class's Quiver; override with a static method hiding this one. */
    protected static Map<String, String> brokerConf() {
        return Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024));
    }

    @BeforeAll
    static void startQuiver(TestInfo info) throws Exception {
        dataDir = Files.createTempDirectory("quiver-it-");
        Map<String, String> conf = brokerConf();
        try {
            var m = info.getTestClass().orElseThrow().getDeclaredMethod("brokerConf");
            m.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<String, String> c = (Map<String, String>) m.invoke(null);
            conf = c;
        } catch (NoSuchMethodException ignored) {
            // the default configuration
        }
        quiver = new QuiverProcess(dataDir, conf).start();
    }

    @AfterAll
    static void stopQuiver() {
        if (quiver != null) {
            quiver.close(); // and its data directory
        }
    }

    @AfterEach
    void cleanUp() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        cleanups.clear();
    }

    protected static String unique(String prefix) {
        return prefix + "_" + SEQ.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected DefaultMQProducer producer() throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(unique("PG"));
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setSendMsgTimeout(10_000);
        p.setInstanceName(unique("producer"));
        p.start();
        cleanups.add(p::shutdown);
        return p;
    }

    protected DefaultMQPushConsumer pushConsumer(String group) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("consumer"));
        c.setPullTimeDelayMillsWhenException(200);
        cleanups.add(c::shutdown);
        return c;
    }

    protected DefaultLitePullConsumer litePullConsumer(String group) {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("lite"));
        cleanups.add(c::shutdown);
        return c;
    }

    /** Makes sure {@code topic} exists with a route (auto-created by a seed message). Returns the seed's body. */
    protected String ensureTopic(org.apache.rocketmq.client.producer.DefaultMQProducer p, String topic) throws Exception {
        String seed = "seed-" + topic;
        p.send(new org.apache.rocketmq.common.message.Message(topic, "seed", seed.getBytes()));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
            .until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
        return seed;
    }

    /**
     * A push consumer of {@code group} reads {@code topic} from the first offset until it has seen
     * {@code count} messages, then shuts down, which commits its offsets. Returns the bodies seen.
     */
    protected List<String> consumeThenStop(String group, String topic, int count) throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(body(m)));
            return org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> seen.size() >= count);
        c.shutdown();
        return seen;
    }

    /** How many queues of {@code topic} the push consumer currently processes. */
    @SuppressWarnings("deprecation")
    protected static long assignedQueues(DefaultMQPushConsumer c, String topic) {
        return c.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet().stream()
            .filter(q -> q.getTopic().equals(topic)).count();
    }

    /** Sends one request, encoded by the official client's RemotingCommand, to the broker and decodes the answer. */
    protected static org.apache.rocketmq.remoting.protocol.RemotingCommand call(
        org.apache.rocketmq.remoting.protocol.RemotingCommand req) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", quiver.brokerPort())) {
            s.setSoTimeout(30_000); // long polls in PullStatusIT are held up to 20 s
            java.nio.ByteBuffer b = req.encode();
            s.getOutputStream().write(b.array(), b.position(), b.remaining());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                org.apache.rocketmq.remoting.protocol.RemotingCommand got =
                    org.apache.rocketmq.remoting.protocol.RemotingCommand.decode(java.nio.ByteBuffer.wrap(frame));
                if (got.isResponseType()) {
                    return got; // skip requests the broker sends first (NOTIFY_CONSUMER_IDS_CHANGED after a heartbeat)
                }
            }
        }
    }

    protected void onCleanup(Runnable r) {
        cleanups.add(r);
    }

    /** Creates a topic through the auto-create path with one message, so routes exist for consumers. */
    protected static List<MessageQueue> sortedQueues(java.util.Collection<MessageQueue> qs) {
        List<MessageQueue> l = new ArrayList<>(qs);
        l.sort(null);
        return l;
    }

    protected static String body(MessageExt m) {
        return new String(m.getBody(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What {@link #readFromStart} found: "queueId@offset" to body, and the sum of the queues' max offsets. */
    protected record ReadBack(Map<String, String> stored, long maxOffsets) {}

    /**
     * Reads every queue of {@code topic} from its start with a lite-pull consumer until each has been read up
     * to the max offset it had when the read began (holes are stepped over), or a minute passes.
     */
    protected ReadBack readFromStart(String topic, DefaultMQProducer admin) throws Exception {
        DefaultLitePullConsumer c = litePullConsumer(unique("Read"));
        c.setAutoCommit(false);
        c.setPullBatchSize(32);
        c.start();
        List<MessageQueue> queues = sortedQueues(c.fetchMessageQueues(topic));
        c.assign(queues);
        Map<Integer, Long> max = new java.util.HashMap<>();
        for (MessageQueue q : queues) {
            c.seekToBegin(q);
            max.put(q.getQueueId(), admin.maxOffset(q));
        }
        Map<Integer, Long> next = new java.util.HashMap<>();
        Map<String, String> stored = new java.util.HashMap<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline
            && max.entrySet().stream().anyMatch(e -> next.getOrDefault(e.getKey(), 0L) < e.getValue())) {
            for (MessageExt m : c.poll(500)) {
                String key = m.getQueueId() + "@" + m.getQueueOffset();
                // The 4.9.8 lite-pull consumer may hand out a pull that was in flight when seekToBegin ran, so an
                // offset can arrive twice; it must then hold the same message.
                String before = stored.put(key, body(m));
                org.assertj.core.api.Assertions.assertThat(before == null || before.equals(body(m)))
                    .as("offset %s held two different messages", key).isTrue();
                next.merge(m.getQueueId(), m.getQueueOffset() + 1, Math::max);
            }
        }
        c.shutdown();
        return new ReadBack(stored, max.values().stream().mapToLong(Long::longValue).sum());
    }
}
