package io.quiver.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.it.FrameDraft.Target;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * Valid requests for every request code the broker and the name server register a handler for, as the
 * frame fuzzer's seeds. Each template builds a fresh draft from a Random, so names, queues and offsets vary
 * within small pools: repeated names make requests meet state earlier requests created.
 *
 * <p>Every name here is a fuzz name ({@code Fuzz...}, {@code 127.0.0.9}): no template names the real
 * broker, its address, the canary or health topics, so even a valid admin request only touches fuzz state.
 * QUIVER_DRAIN (19003) is the one handled code left out: its success stops the broker by design.
 */
final class FrameCorpus {
    /** A named way to build one valid request. */
    record Template(String name, Target target, int code, Function<Random, FrameDraft> build) {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String[] TOPICS = {"FuzzT0", "FuzzT1", "FuzzT2", "FuzzT3"};
    static final String[] GROUPS = {"FuzzG0", "FuzzG1", "FuzzG2"};
    static final String[] PRODUCER_GROUPS = {"FuzzP0", "FuzzP1"};
    static final String[] CLIENT_IDS = {"127.0.0.9@fuzz#1", "127.0.0.9@fuzz#2", "127.0.0.9@fuzz#3"};
    static final String[] FAKE_BROKERS = {"FuzzBroker0", "FuzzBroker1"};
    static final String[] FAKE_ADDRS = {"127.0.0.9:10001", "127.0.0.9:10002", "127.0.0.9:10003"};
    static final String FAKE_CLUSTER = "FuzzCluster";
    /** The "unknown request code" probe every consistent frame is followed by. */
    static final int PROBE_CODE = 9_999;

    private final List<Long> canaryOffsets;
    private final List<Template> templates = new ArrayList<>();

    /** @param canaryOffsets commit-log offsets of stored messages, so lookups by offset also hit real records */
    FrameCorpus(List<Long> canaryOffsets) {
        this.canaryOffsets = List.copyOf(canaryOffsets);
        brokerTemplates();
        nameServerTemplates();
    }

    List<Template> templates() {
        return templates;
    }

    private void add(String name, Target target, int code, Function<Random, FrameDraft> build) {
        templates.add(new Template(name, target, code, r -> {
            FrameDraft d = build.apply(r);
            d.binary = r.nextBoolean(); // both header serializations for every code (codes fit int16)
            return d;
        }));
    }

    static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    private long offset(Random r) {
        return switch (r.nextInt(4)) {
            case 0, 1 -> canaryOffsets.isEmpty() ? 0 : canaryOffsets.get(r.nextInt(canaryOffsets.size()));
            case 2 -> r.nextInt(4096);
            default -> r.nextInt(1 << 20);
        };
    }

    static String uniqKey(Random r) {
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append("0123456789ABCDEF".charAt(r.nextInt(16)));
        }
        return sb.toString();
    }

    private static FrameDraft broker(String t, int code) {
        return new FrameDraft(t, Target.BROKER, code);
    }

    private static FrameDraft namesrv(String t, int code) {
        return new FrameDraft(t, Target.NAMESRV, code);
    }

    /** Message properties as producers write them (fact sheet §6.3), sometimes with delay or transaction flags. */
    private static String properties(Random r) {
        StringBuilder sb = new StringBuilder("TAGS\u0001Tag").append(r.nextInt(3))
            .append("\u0002KEYS\u0001key").append(r.nextInt(5))
            .append("\u0002UNIQ_KEY\u0001").append(uniqKey(r))
            .append("\u0002WAIT\u0001true");
        switch (r.nextInt(8)) {
            case 0 -> sb.append("\u0002DELAY\u0001").append(1 + r.nextInt(3));
            case 1 -> sb.append("\u0002TRAN_MSG\u0001true\u0002PGROUP\u0001").append(pick(r, PRODUCER_GROUPS));
            case 2 -> sb.append("\u0002TIMER_DELAY_SEC\u0001").append(1 + r.nextInt(5));
            default -> { }
        }
        return sb.toString();
    }

    /** A SEND_BATCH_MESSAGE body (fact sheet §5.4): entries with their own flag, body and properties. */
    static byte[] batchBody(Random r, int entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (int i = 0; i < entries; i++) {
                byte[] body = ("fuzz-batch-" + i + "-" + r.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
                byte[] props = ("KEYS\u0001bk" + i + "\u0002UNIQ_KEY\u0001" + uniqKey(r)).getBytes(StandardCharsets.UTF_8);
                out.writeInt(4 + 4 + 4 + 4 + 4 + body.length + 2 + props.length);
                out.writeInt(0); // magic: clients write 0
                out.writeInt(0); // body CRC: clients write 0
                out.writeInt(r.nextInt(3)); // user flag
                out.writeInt(body.length);
                out.write(body);
                out.writeShort(props.length);
                out.write(props);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static ObjectNode subscription(Random r, String topic) {
        ObjectNode s = F.objectNode();
        s.put("classFilterMode", false);
        boolean sql = r.nextInt(6) == 0;
        ArrayNode codes = s.putArray("codeSet");
        ArrayNode tags = s.putArray("tagsSet");
        if (sql) {
            s.put("expressionType", "SQL92");
            int depth = r.nextInt(8) == 0 ? 50 + r.nextInt(1500) : 0; // deep nesting costs a recursion per level
            s.put("subString", r.nextBoolean() ? "(".repeat(depth) + "a > " + r.nextInt(10) + ")".repeat(depth) + " AND b = 'x'"
                : "NOT ".repeat(depth) + "a > " + r.nextInt(10));
        } else if (r.nextBoolean()) {
            s.put("expressionType", "TAG");
            s.put("subString", "Tag0 || Tag1");
            tags.add("Tag0").add("Tag1");
            codes.add("Tag0".hashCode()).add("Tag1".hashCode());
        } else {
            s.put("expressionType", "TAG");
            s.put("subString", "*");
        }
        s.put("subVersion", 1_700_000_000_000L + r.nextInt(1000));
        s.put("topic", topic);
        return s;
    }

    /** A HEART_BEAT body (fact sheet §4.1) with producer and consumer groups and their subscriptions. */
    static ObjectNode heartbeat(Random r) {
        ObjectNode hb = F.objectNode();
        hb.put("clientID", pick(r, CLIENT_IDS));
        ArrayNode consumers = hb.putArray("consumerDataSet");
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            String group = pick(r, GROUPS);
            ObjectNode c = consumers.addObject();
            c.put("consumeFromWhere", r.nextBoolean() ? "CONSUME_FROM_LAST_OFFSET" : "CONSUME_FROM_FIRST_OFFSET");
            c.put("consumeType", r.nextBoolean() ? "CONSUME_PASSIVELY" : "CONSUME_ACTIVELY");
            c.put("groupName", group);
            c.put("messageModel", r.nextInt(4) == 0 ? "BROADCASTING" : "CLUSTERING");
            c.put("unitMode", false);
            ArrayNode subs = c.putArray("subscriptionDataSet");
            subs.add(subscription(r, pick(r, TOPICS)));
            subs.add(subscription(r, "%RETRY%" + group));
        }
        ArrayNode producers = hb.putArray("producerDataSet");
        producers.addObject().put("groupName", pick(r, PRODUCER_GROUPS));
        producers.addObject().put("groupName", "CLIENT_INNER_PRODUCER");
        if (r.nextBoolean()) { // 5.x clients add these
            hb.put("heartbeatFingerprint", r.nextInt());
            hb.put("withoutSub", false);
        }
        return hb;
    }

    private static ObjectNode lockBody(Random r) {
        ObjectNode b = F.objectNode();
        b.put("consumerGroup", pick(r, GROUPS));
        b.put("clientId", pick(r, CLIENT_IDS));
        ArrayNode mqs = b.putArray("mqSet");
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            mqs.addObject().put("brokerName", pick(r, FAKE_BROKERS)).put("queueId", r.nextInt(4))
                .put("topic", pick(r, TOPICS));
        }
        b.put("onlyThisBroker", r.nextBoolean());
        return b;
    }

    private static ObjectNode groupConfig(Random r) {
        ObjectNode g = F.objectNode();
        g.put("groupName", pick(r, GROUPS));
        g.put("consumeEnable", true);
        g.put("consumeFromMinEnable", true);
        g.put("consumeBroadcastEnable", true);
        g.put("consumeMessageOrderly", r.nextBoolean());
        g.put("retryQueueNums", 1);
        g.put("retryMaxTimes", 16);
        g.put("brokerId", 0);
        g.put("whichBrokerWhenConsumeSlowly", 1);
        g.put("notifyConsumerIdsChangedEnable", true);
        return g;
    }

    private static ObjectNode dataVersion(Random r) {
        return F.objectNode().put("counter", r.nextInt(5)).put("timestamp", 1_700_000_000_000L + r.nextInt(5));
    }

    /** A REGISTER_BROKER body (fact sheet §3.2) with a few fuzz topics. */
    private static ObjectNode registerBody(Random r) {
        ObjectNode b = F.objectNode();
        b.putArray("filterServerList");
        ObjectNode w = b.putObject("topicConfigSerializeWrapper");
        w.set("dataVersion", dataVersion(r));
        ObjectNode table = w.putObject("topicConfigTable");
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            String t = pick(r, TOPICS);
            table.putObject(t).put("order", false).put("perm", 6).put("readQueueNums", 4)
                .put("topicFilterType", "SINGLE_TAG").put("topicName", t).put("topicSysFlag", 0).put("writeQueueNums", 4);
        }
        return b;
    }

    private static FrameDraft sendV2(Random r, int code) {
        FrameDraft d = broker(code == 320 ? "SEND_BATCH_MESSAGE" : "SEND_MESSAGE_V2", code)
            .ext("a", pick(r, PRODUCER_GROUPS)).ext("b", pick(r, TOPICS)).ext("c", "TBW102").ext("d", 4)
            .ext("e", r.nextInt(4)).ext("f", 0).ext("g", 1_700_000_000_000L + r.nextInt(1_000_000)).ext("h", 0)
            .ext("j", 0).ext("k", false).ext("n", pick(r, FAKE_BROKERS));
        if (code == 320) {
            d.ext("i", "WAIT\u0001true").ext("m", true).body(batchBody(r, 1 + r.nextInt(3)));
        } else {
            d.ext("i", properties(r)).ext("m", false).body("fuzz-body-" + r.nextInt(100_000));
        }
        if (r.nextInt(5) == 0) {
            d.oneway();
        }
        return d;
    }

    private void brokerTemplates() {
        add("SEND_MESSAGE", Target.BROKER, 10, r -> broker("SEND_MESSAGE", 10)
            .ext("producerGroup", pick(r, PRODUCER_GROUPS)).ext("topic", pick(r, TOPICS)).ext("defaultTopic", "TBW102")
            .ext("defaultTopicQueueNums", 4).ext("queueId", r.nextInt(4)).ext("sysFlag", 0)
            .ext("bornTimestamp", 1_700_000_000_000L).ext("flag", 0).ext("properties", properties(r))
            .ext("reconsumeTimes", 0).ext("unitMode", false).ext("batch", false)
            .body("fuzz-v1-" + r.nextInt(100_000)));
        add("SEND_MESSAGE_V2", Target.BROKER, 310, r -> sendV2(r, 310));
        add("SEND_BATCH_MESSAGE", Target.BROKER, 320, r -> sendV2(r, 320));
        add("CONSUMER_SEND_MSG_BACK", Target.BROKER, 36, r -> broker("CONSUMER_SEND_MSG_BACK", 36)
            .ext("offset", offset(r)).ext("group", pick(r, GROUPS)).ext("delayLevel", r.nextInt(4))
            .ext("originMsgId", uniqKey(r)).ext("maxReconsumeTimes", 16));
        for (int code : new int[] {11, 361}) {
            String name = code == 11 ? "PULL_MESSAGE" : "LITE_PULL_MESSAGE";
            add(name, Target.BROKER, code, r -> broker(name, code)
                .ext("consumerGroup", pick(r, GROUPS)).ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4))
                .ext("queueOffset", r.nextInt(10)).ext("maxMsgNums", 32).ext("sysFlag", r.nextBoolean() ? 0 : 0x6)
                .ext("commitOffset", 0).ext("suspendTimeoutMillis", 100).ext("subscription", "*")
                .ext("subVersion", 0).ext("expressionType", "TAG"));
        }
        add("QUERY_CONSUMER_OFFSET", Target.BROKER, 14, r -> broker("QUERY_CONSUMER_OFFSET", 14)
            .ext("consumerGroup", pick(r, GROUPS)).ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4)));
        add("UPDATE_CONSUMER_OFFSET", Target.BROKER, 15, r -> {
            FrameDraft d = broker("UPDATE_CONSUMER_OFFSET", 15).ext("consumerGroup", pick(r, GROUPS))
                .ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4)).ext("commitOffset", r.nextInt(10));
            return r.nextBoolean() ? d.oneway() : d;
        });
        add("GET_MAX_OFFSET", Target.BROKER, 30, r -> broker("GET_MAX_OFFSET", 30)
            .ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4)));
        add("GET_MIN_OFFSET", Target.BROKER, 31, r -> broker("GET_MIN_OFFSET", 31)
            .ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4)));
        add("GET_EARLIEST_MSG_STORETIME", Target.BROKER, 32, r -> broker("GET_EARLIEST_MSG_STORETIME", 32)
            .ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4)));
        add("SEARCH_OFFSET_BY_TIMESTAMP", Target.BROKER, 29, r -> broker("SEARCH_OFFSET_BY_TIMESTAMP", 29)
            .ext("topic", pick(r, TOPICS)).ext("queueId", r.nextInt(4))
            .ext("timestamp", System.currentTimeMillis() - r.nextInt(60_000)));
        add("HEART_BEAT", Target.BROKER, 34, r -> broker("HEART_BEAT", 34).json(heartbeat(r)));
        add("UNREGISTER_CLIENT", Target.BROKER, 35, r -> broker("UNREGISTER_CLIENT", 35)
            .ext("clientID", pick(r, CLIENT_IDS)).ext("producerGroup", pick(r, PRODUCER_GROUPS))
            .ext("consumerGroup", pick(r, GROUPS)));
        add("GET_CONSUMER_LIST_BY_GROUP", Target.BROKER, 38, r -> broker("GET_CONSUMER_LIST_BY_GROUP", 38)
            .ext("consumerGroup", pick(r, GROUPS)));
        add("CHECK_CLIENT_CONFIG", Target.BROKER, 46, r -> {
            ObjectNode b = F.objectNode().put("clientId", pick(r, CLIENT_IDS)).put("group", pick(r, GROUPS));
            b.set("subscriptionData", subscription(r, pick(r, TOPICS)));
            return broker("CHECK_CLIENT_CONFIG", 46).json(b);
        });
        add("LOCK_BATCH_MQ", Target.BROKER, 41, r -> broker("LOCK_BATCH_MQ", 41).json(lockBody(r)));
        add("UNLOCK_BATCH_MQ", Target.BROKER, 42, r -> broker("UNLOCK_BATCH_MQ", 42).json(lockBody(r)));
        add("UPDATE_AND_CREATE_TOPIC", Target.BROKER, 17, r -> broker("UPDATE_AND_CREATE_TOPIC", 17)
            .ext("topic", pick(r, TOPICS)).ext("defaultTopic", "TBW102").ext("readQueueNums", 4)
            .ext("writeQueueNums", 4).ext("perm", 6).ext("topicFilterType", "SINGLE_TAG").ext("topicSysFlag", 0)
            .ext("order", false));
        add("DELETE_TOPIC_IN_BROKER", Target.BROKER, 215, r -> broker("DELETE_TOPIC_IN_BROKER", 215)
            .ext("topic", pick(r, TOPICS)));
        add("GET_ALL_TOPIC_CONFIG", Target.BROKER, 21, r -> broker("GET_ALL_TOPIC_CONFIG", 21));
        add("GET_TOPIC_CONFIG", Target.BROKER, 351, r -> broker("GET_TOPIC_CONFIG", 351).ext("topic", pick(r, TOPICS)));
        add("UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", Target.BROKER, 200,
            r -> broker("UPDATE_AND_CREATE_SUBSCRIPTIONGROUP", 200).json(groupConfig(r)));
        add("DELETE_SUBSCRIPTIONGROUP", Target.BROKER, 207, r -> broker("DELETE_SUBSCRIPTIONGROUP", 207)
            .ext("groupName", pick(r, GROUPS)).ext("removeOffset", r.nextBoolean()));
        add("GET_ALL_SUBSCRIPTIONGROUP_CONFIG", Target.BROKER, 201, r -> broker("GET_ALL_SUBSCRIPTIONGROUP_CONFIG", 201));
        add("GET_BROKER_CONFIG", Target.BROKER, 26, r -> broker("GET_BROKER_CONFIG", 26));
        add("GET_BROKER_RUNTIME_INFO", Target.BROKER, 28, r -> broker("GET_BROKER_RUNTIME_INFO", 28));
        // A live setting that only shapes transaction check-backs; no mutation of it can stop the broker serving.
        add("UPDATE_BROKER_CONFIG", Target.BROKER, 25, r -> broker("UPDATE_BROKER_CONFIG", 25)
            .body("transactionCheckMax=" + (10 + r.nextInt(10)) + "\n"));
        add("VIEW_MESSAGE_BY_ID", Target.BROKER, 33, r -> broker("VIEW_MESSAGE_BY_ID", 33).ext("offset", offset(r)));
        add("QUERY_MESSAGE", Target.BROKER, 12, r -> broker("QUERY_MESSAGE", 12).ext("topic", pick(r, TOPICS))
            .ext("key", "key" + r.nextInt(5)).ext("maxNum", 32).ext("beginTimestamp", 0)
            .ext("endTimestamp", Long.MAX_VALUE));
        add("GET_CONSUMER_CONNECTION_LIST", Target.BROKER, 203, r -> broker("GET_CONSUMER_CONNECTION_LIST", 203)
            .ext("consumerGroup", pick(r, GROUPS)));
        add("QUERY_TOPIC_CONSUME_BY_WHO", Target.BROKER, 300, r -> broker("QUERY_TOPIC_CONSUME_BY_WHO", 300)
            .ext("topic", pick(r, TOPICS)));
        add("GET_PRODUCER_CONNECTION_LIST", Target.BROKER, 204, r -> broker("GET_PRODUCER_CONNECTION_LIST", 204)
            .ext("producerGroup", pick(r, PRODUCER_GROUPS)));
        add("GET_TOPIC_STATS_INFO", Target.BROKER, 202, r -> broker("GET_TOPIC_STATS_INFO", 202).ext("topic", pick(r, TOPICS)));
        add("GET_CONSUME_STATS", Target.BROKER, 208, r -> broker("GET_CONSUME_STATS", 208)
            .ext("consumerGroup", pick(r, GROUPS)).ext("topic", pick(r, TOPICS)));
        add("END_TRANSACTION", Target.BROKER, 37, r -> {
            FrameDraft d = broker("END_TRANSACTION", 37).ext("producerGroup", pick(r, PRODUCER_GROUPS))
                .ext("tranStateTableOffset", r.nextInt(10)).ext("commitLogOffset", offset(r))
                .ext("commitOrRollback", new int[] {0, 8, 12}[r.nextInt(3)]).ext("fromTransactionCheck", r.nextBoolean())
                .ext("msgId", uniqKey(r)).ext("transactionId", uniqKey(r));
            return r.nextBoolean() ? d.oneway() : d; // official producers send it oneway
        });
        add("QUIVER_LIST_PENDING_TRANSACTIONS", Target.BROKER, 19_001,
            r -> broker("QUIVER_LIST_PENDING_TRANSACTIONS", 19_001).ext("limit", 1 + r.nextInt(100)));
        add("INVOKE_BROKER_TO_RESET_OFFSET", Target.BROKER, 222, r -> broker("INVOKE_BROKER_TO_RESET_OFFSET", 222)
            .ext("topic", pick(r, TOPICS)).ext("group", pick(r, GROUPS))
            .ext("timestamp", System.currentTimeMillis() - r.nextInt(60_000)).ext("isForce", r.nextBoolean()));
        add("INVOKE_BROKER_TO_GET_CONSUMER_STATUS", Target.BROKER, 223,
            r -> broker("INVOKE_BROKER_TO_GET_CONSUMER_STATUS", 223).ext("topic", pick(r, TOPICS))
                .ext("group", pick(r, GROUPS)));
        add("QUIVER_DLQ_REDRIVE", Target.BROKER, 19_002, r -> broker("QUIVER_DLQ_REDRIVE", 19_002)
            .ext("group", pick(r, GROUPS)).ext("since", -1).ext("limit", 1 + r.nextInt(10)));
    }

    private void nameServerTemplates() {
        add("REGISTER_BROKER", Target.NAMESRV, 103, r -> {
            FrameDraft d = namesrv("REGISTER_BROKER", 103).ext("brokerName", pick(r, FAKE_BROKERS))
                .ext("brokerAddr", pick(r, FAKE_ADDRS)).ext("clusterName", FAKE_CLUSTER)
                .ext("haServerAddr", "127.0.0.9:10912").ext("brokerId", r.nextInt(3) == 0 ? 1 : 0)
                .ext("compressed", false).json(registerBody(r));
            if (r.nextBoolean()) { // with the body's CRC, as official brokers send it
                CRC32 crc = new CRC32();
                crc.update(d.bodyBytes());
                d.ext("bodyCrc32", crc.getValue() & 0x7FFFFFFF);
            } else {
                d.ext("bodyCrc32", 0);
            }
            return d;
        });
        add("UNREGISTER_BROKER", Target.NAMESRV, 104, r -> namesrv("UNREGISTER_BROKER", 104)
            .ext("brokerName", pick(r, FAKE_BROKERS)).ext("brokerAddr", pick(r, FAKE_ADDRS))
            .ext("clusterName", FAKE_CLUSTER).ext("brokerId", 0));
        add("QUERY_DATA_VERSION", Target.NAMESRV, 322, r -> namesrv("QUERY_DATA_VERSION", 322)
            .ext("brokerName", pick(r, FAKE_BROKERS)).ext("brokerAddr", pick(r, FAKE_ADDRS))
            .ext("clusterName", FAKE_CLUSTER).ext("brokerId", 0).json(dataVersion(r)));
        add("GET_ROUTEINFO_BY_TOPIC", Target.NAMESRV, 105, r -> namesrv("GET_ROUTEINFO_BY_TOPIC", 105)
            .ext("topic", pick(r, TOPICS)));
        add("GET_BROKER_CLUSTER_INFO", Target.NAMESRV, 106, r -> namesrv("GET_BROKER_CLUSTER_INFO", 106));
        add("GET_ALL_TOPIC_LIST_FROM_NAMESERVER", Target.NAMESRV, 206,
            r -> namesrv("GET_ALL_TOPIC_LIST_FROM_NAMESERVER", 206));
        add("GET_TOPICS_BY_CLUSTER", Target.NAMESRV, 224, r -> namesrv("GET_TOPICS_BY_CLUSTER", 224)
            .ext("cluster", FAKE_CLUSTER));
        add("PUT_KV_CONFIG", Target.NAMESRV, 100, r -> namesrv("PUT_KV_CONFIG", 100).ext("namespace", "FuzzNs")
            .ext("key", "k" + r.nextInt(5)).ext("value", "v" + r.nextInt(100)));
        add("GET_KV_CONFIG", Target.NAMESRV, 101, r -> namesrv("GET_KV_CONFIG", 101).ext("namespace", "FuzzNs")
            .ext("key", "k" + r.nextInt(5)));
        add("DELETE_KV_CONFIG", Target.NAMESRV, 102, r -> namesrv("DELETE_KV_CONFIG", 102).ext("namespace", "FuzzNs")
            .ext("key", "k" + r.nextInt(5)));
        add("GET_KVLIST_BY_NAMESPACE", Target.NAMESRV, 219, r -> namesrv("GET_KVLIST_BY_NAMESPACE", 219)
            .ext("namespace", "FuzzNs"));
        add("WIPE_WRITE_PERM_OF_BROKER", Target.NAMESRV, 205, r -> namesrv("WIPE_WRITE_PERM_OF_BROKER", 205)
            .ext("brokerName", pick(r, FAKE_BROKERS)));
        add("ADD_WRITE_PERM_OF_BROKER", Target.NAMESRV, 327, r -> namesrv("ADD_WRITE_PERM_OF_BROKER", 327)
            .ext("brokerName", pick(r, FAKE_BROKERS)));
        add("DELETE_TOPIC_IN_NAMESRV", Target.NAMESRV, 216, r -> {
            FrameDraft d = namesrv("DELETE_TOPIC_IN_NAMESRV", 216).ext("topic", pick(r, TOPICS));
            return r.nextBoolean() ? d.ext("clusterName", FAKE_CLUSTER) : d;
        });
        // An unknown code for both endpoints: answered REQUEST_CODE_NOT_SUPPORTED.
        add("UNKNOWN_BROKER", Target.BROKER, 4242, r -> broker("UNKNOWN_BROKER", 4242));
        add("UNKNOWN_NAMESRV", Target.NAMESRV, 4242, r -> namesrv("UNKNOWN_NAMESRV", 4242));
    }

    /** Every request code a template covers, by endpoint. */
    List<Integer> codes(Target target) {
        List<Integer> codes = new ArrayList<>();
        for (Template t : templates) {
            if (t.target() == target && !codes.contains(t.code())) {
                codes.add(t.code());
            }
        }
        return codes;
    }
}
