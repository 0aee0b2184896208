package io.quiver.broker.send;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.send.TopicResolver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.PermName;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support for the send pipeline: a broker's metadata in a temporary directory (never flushed), a
 * fixed clock, a recording {@link Diversions}, and builders for send frames and batch bodies.
 */
public final class SendFixture {
    /** The fixed "now" of the router's clock. */
    public static final long NOW = 1_700_000_000_000L;
    public static final byte[] STORE_HOST = {10, 0, 0, 7};
    public static final int STORE_PORT = 10911;
    public static final InetSocketAddress PRODUCER = new InetSocketAddress("127.0.0.1", 40000);
    /** An existing topic with 4 read/write queues. */
    public static final String TOPIC = "TopicA";

    public final BrokerConfig config = new BrokerConfig();
    public final SubscriptionGroupTable groups;
    public final TopicTable topics;
    public final AtomicInteger topicsChanged = new AtomicInteger();
    public final TopicResolver resolver;
    public final FakeDiversions diversions = new FakeDiversions();
    public final SendValidator validator;
    public final SendRouter router;

    /**
     * @param dir        the config directory (a @TempDir)
     * @param topicLimit the topic table's bound (maxTopicCount); TBW102 and {@link #TOPIC} count against it
     * @param autoCreate autoCreateTopicEnable, applied to the config and to TBW102's permission
     */
    public SendFixture(Path dir, int topicLimit, boolean autoCreate) {
        config.listenPort = STORE_PORT;
        config.autoCreateTopicEnable = autoCreate;
        groups = new SubscriptionGroupTable(dir, 100);
        groups.load();
        topics = new TopicTable(dir, topicLimit);
        topics.load(autoCreate, 8);
        topics.put(new TopicConfig(TOPIC, 4, PermName.READ_WRITE));
        resolver = new TopicResolver(topics, groups, config, () -> {
            topicsChanged.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });
        validator = new SendValidator(config);
        router = new SendRouter(config, groups, resolver, diversions, STORE_HOST, () -> NOW);
    }

    public SendFixture(Path dir) {
        this(dir, 1_000, true);
    }

    public static Req send(String topic) {
        return new Req(topic);
    }

    /** A send frame under construction; {@link #command()} encodes it as the official V2 producer does. */
    public static final class Req {
        public int code = RequestCode.SEND_MESSAGE_V2;
        public String producerGroup = "PG";
        public String topic;
        public String defaultTopic = "TBW102";
        public int defaultTopicQueueNums = 4;
        public int queueId;
        public int sysFlag;
        public long bornTimestamp = NOW - 5;
        public int flag;
        public final Map<String, String> props = new LinkedHashMap<>();
        public int reconsumeTimes;
        public Integer maxReconsumeTimes;
        public boolean batch;
        public byte[] body = "hello".getBytes(StandardCharsets.UTF_8);

        Req(String topic) {
            this.topic = topic;
        }

        public Req prop(String key, String value) {
            props.put(key, value);
            return this;
        }

        public Req queueId(int q) {
            queueId = q;
            return this;
        }

        public Req sysFlag(int f) {
            sysFlag = f;
            return this;
        }

        public Req flag(int f) {
            flag = f;
            return this;
        }

        public Req reconsumeTimes(int n) {
            reconsumeTimes = n;
            return this;
        }

        public Req maxReconsumeTimes(Integer n) {
            maxReconsumeTimes = n;
            return this;
        }

        public Req defaultTopicQueueNums(int n) {
            defaultTopicQueueNums = n;
            return this;
        }

        public Req body(byte[] b) {
            body = b;
            return this;
        }

        /** Marks the frame SEND_BATCH_MESSAGE with {@code batchBody} as its body. */
        public Req batch(byte[] batchBody) {
            code = RequestCode.SEND_BATCH_MESSAGE;
            batch = true;
            body = batchBody;
            return this;
        }

        public SendMessageRequestHeader header() {
            return new SendMessageRequestHeader(producerGroup, topic, defaultTopic, defaultTopicQueueNums, queueId,
                sysFlag, bornTimestamp, flag, MessageProperties.encode(props), reconsumeTimes, false,
                maxReconsumeTimes, batch, "broker-a");
        }

        public RemotingCommand command() {
            RemotingCommand c = RemotingCommand.request(code);
            header().encodeV2(c);
            c.body(body);
            return c;
        }

        public SendRequest decode() {
            return SendRequest.decode(command(), PRODUCER);
        }
    }

    /** One member of a batch body. */
    public record Member(int flag, byte[] body, Map<String, String> props) {
        public static Member of(String body, Map<String, String> props) {
            return new Member(0, body.getBytes(StandardCharsets.UTF_8), props);
        }
    }

    /**
     * Encodes members as the official client's MessageDecoder.encodeMessage does (the layout BatchBody.split
     * reads): total size, magic 0, body CRC 0, flag, body length, body, short properties length, properties.
     */
    public static byte[] batchBody(Member... members) {
        List<byte[]> parts = new ArrayList<>();
        int size = 0;
        for (Member m : members) {
            byte[] props = MessageProperties.encode(m.props()).getBytes(StandardCharsets.UTF_8);
            int total = 4 + 4 + 4 + 4 + 4 + m.body().length + 2 + props.length;
            ByteBuffer b = ByteBuffer.allocate(total);
            b.putInt(total).putInt(0).putInt(0).putInt(m.flag()).putInt(m.body().length).put(m.body())
                .putShort((short) props.length).put(props);
            parts.add(b.array());
            size += total;
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        parts.forEach(all::put);
        return all.array();
    }

    /** The body bytes a draft points at. */
    public static String bodyOf(MessageDraft d) {
        return new String(d.body(), d.bodyOffset(), d.bodyLength(), StandardCharsets.UTF_8);
    }

    /** A Diversions that records every call (with a copy of the properties it was handed) and changes nothing. */
    public static final class FakeDiversions implements Diversions {
        public record Call(String kind, MessageDraft draft, Map<String, String> props, long arg) {}

        public final List<Call> calls = new ArrayList<>();
        public boolean room = true;
        public static final int MAX_PENDING = 1234;

        @Override
        public void toHalf(MessageDraft d, Map<String, String> props) {
            calls.add(new Call("half", d, new LinkedHashMap<>(props), 0));
        }

        @Override
        public void toSchedule(MessageDraft d, Map<String, String> props, int level) {
            calls.add(new Call("schedule", d, new LinkedHashMap<>(props), level));
        }

        @Override
        public void toTimer(MessageDraft d, Map<String, String> props, long deliverAtMillis) {
            calls.add(new Call("timer", d, new LinkedHashMap<>(props), deliverAtMillis));
        }

        @Override
        public boolean timerHasRoom() {
            return room;
        }

        @Override
        public int maxPendingTimers() {
            return MAX_PENDING;
        }
    }
}
