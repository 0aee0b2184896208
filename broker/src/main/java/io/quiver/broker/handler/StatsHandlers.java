package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.MessageQueue;
import io.quiver.protocol.body.QueueKeyedJson;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import io.quiver.store.MessageReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Offsets per queue for operators (fact sheet §9.4): GET_TOPIC_STATS_INFO (mqadmin topicStatus) and
 * GET_CONSUME_STATS (mqadmin consumerProgress: broker offset, consumer offset, lag). Read-only; admin pool.
 */
public final class StatsHandlers {
    private final TopicTable topics;
    private final BrokerConfig config;
    private final MessageReader store;
    private final ConsumerOffsetTable offsets;

    public StatsHandlers(TopicTable topics, BrokerConfig config, MessageReader store, ConsumerOffsetTable offsets) {
        this.topics = topics;
        this.config = config;
        this.store = store;
        this.offsets = offsets;
    }

    /** One queue of TopicStatsTable (wire names). */
    public static final class TopicOffset {
        public long minOffset;
        public long maxOffset;
        public long lastUpdateTimestamp;
    }

    /** One queue of ConsumeStats (wire names). */
    public static final class OffsetWrapper {
        public long brokerOffset;
        public long consumerOffset;
        public long pullOffset;
        public long lastTimestamp;
    }

    public void topicStats(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        TopicConfig tc = topics.get(topic);
        if (tc == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic + " does not exist on broker " + config.brokerName);
            return;
        }
        Map<MessageQueue, TopicOffset> table = new LinkedHashMap<>();
        for (int q = 0; q < tc.writeQueueNums; q++) {
            TopicOffset o = new TopicOffset();
            o.minOffset = Math.max(0, store.minOffset(topic, q));
            o.maxOffset = store.maxOffset(topic, q);
            o.lastUpdateTimestamp = o.maxOffset > 0 ? Math.max(0, store.storeTimestamp(topic, q, o.maxOffset - 1)) : 0;
            table.put(new MessageQueue(topic, config.brokerName, q), o);
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(QueueKeyedJson.body("offsetTable", table, null)));
    }

    public void consumeStats(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.ConsumeStats h = RequestHeaders.ConsumeStats.decode(req);
        String group = h.consumerGroup();
        String topic = h.topic();
        List<String> names = new ArrayList<>();
        if (topic != null && !topic.isBlank()) {
            names.add(topic);
        } else {
            names.addAll(new TreeSet<>(offsets.topicsOf(group)));
        }
        Map<MessageQueue, OffsetWrapper> table = new LinkedHashMap<>();
        for (String t : names) {
            table.putAll(offsetTable(group, t));
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .body(QueueKeyedJson.body("offsetTable", table, "\"consumeTps\":0.0")));
    }

    /** The group's offsets on every readable queue of {@code topic}; empty when the topic is unknown here. */
    private Map<MessageQueue, OffsetWrapper> offsetTable(String group, String t) {
        Map<MessageQueue, OffsetWrapper> table = new LinkedHashMap<>();
        TopicConfig tc = topics.get(t);
        if (tc == null) {
            return table;
        }
        for (int q = 0; q < tc.readQueueNums; q++) {
            OffsetWrapper w = new OffsetWrapper();
            w.brokerOffset = store.maxOffset(t, q);
            w.consumerOffset = Math.max(0, offsets.get(group, t, q));
            w.pullOffset = w.consumerOffset;
            w.lastTimestamp = w.consumerOffset > 0
                ? Math.max(0, store.storeTimestamp(t, q, w.consumerOffset - 1)) : 0;
            table.put(new MessageQueue(t, config.brokerName, q), w);
        }
        return table;
    }

    /** Most groups one GET_BROKER_CONSUME_STATS answer covers, so the answer stays within a frame. */
    static final int MAX_GROUPS_IN_BROKER_CONSUME_STATS = 10_000;

    /**
     * GET_BROKER_CONSUME_STATS (mqadmin brokerConsumeStats): for every group with committed offsets here, one
     * ConsumeStats per topic (its queues' broker and consumer offsets), and the total lag. Groups without offsets are
     * listed with no stats, as RocketMQ lists every subscription group.
     */
    public void brokerConsumeStats(RequestContext ctx, RemotingCommand req) {
        java.util.TreeSet<String> groupNames = new TreeSet<>();
        offsets.forEachOffset((group, t, queue, offset) -> groupNames.add(group));
        long totalDiff = 0;
        StringBuilder list = new StringBuilder("[");
        int n = 0;
        for (String group : groupNames) {
            if (n++ == MAX_GROUPS_IN_BROKER_CONSUME_STATS) {
                break;
            }
            StringBuilder stats = new StringBuilder("[");
            boolean firstTopic = true;
            for (String t : new TreeSet<>(offsets.topicsOf(group))) {
                Map<MessageQueue, OffsetWrapper> table = offsetTable(group, t);
                if (table.isEmpty()) {
                    continue;
                }
                for (OffsetWrapper w : table.values()) {
                    totalDiff += Math.max(0, w.brokerOffset - w.consumerOffset);
                }
                stats.append(firstTopic ? "" : ",").append("{\"consumeTps\":0.0,\"offsetTable\":")
                    .append(QueueKeyedJson.map(table)).append('}');
                firstTopic = false;
            }
            stats.append(']');
            list.append(list.length() > 1 ? "," : "").append('{').append(io.quiver.protocol.body.Json.encodeToString(group))
                .append(':').append(stats).append('}');
        }
        list.append(']');
        String body = "{\"brokerAddr\":" + io.quiver.protocol.body.Json.encodeToString(config.brokerAddr())
            + ",\"consumeStatsList\":" + list + ",\"totalDiff\":" + totalDiff + "}";
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
