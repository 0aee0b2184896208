package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.Traffic;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Topic administration for mqadmin and the quiver CLI (fact sheet §9.4): create or update, delete, list,
 * describe. Admin pool; changes answer once they are on disk.
 */
public final class TopicAdminHandlers {
    private final BrokerConfig config;
    private final TopicTable topics;
    private final ConsumerOffsetTable offsets;
    private final Traffic traffic;
    private final Supplier<CompletableFuture<Void>> announce;

    public TopicAdminHandlers(BrokerConfig config, TopicTable topics, ConsumerOffsetTable offsets, Traffic traffic,
                              Supplier<CompletableFuture<Void>> announce) {
        this.config = config;
        this.topics = topics;
        this.offsets = offsets;
        this.traffic = traffic;
        this.announce = announce;
    }

    public void createTopic(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.CreateTopic h = RequestHeaders.CreateTopic.decode(req);
        String problem = TopicNames.validate(h.topic());
        if (problem != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "invalid topic: " + problem);
            return;
        }
        if (TopicNames.isSystem(h.topic())) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "The topic[" + h.topic() + "] is conflict with system topic.");
            return;
        }
        if (h.readQueueNums() <= 0 || h.writeQueueNums() <= 0 || h.readQueueNums() > 1024 || h.writeQueueNums() > 1024) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "queue counts must be between 1 and 1024, got read "
                + h.readQueueNums() + " write " + h.writeQueueNums());
            return;
        }
        TopicConfig c = new TopicConfig(h.topic(), 0, h.perm());
        c.readQueueNums = h.readQueueNums();
        c.writeQueueNums = h.writeQueueNums();
        c.topicFilterType = h.topicFilterType() == null ? "SINGLE_TAG" : h.topicFilterType();
        c.topicSysFlag = h.topicSysFlag();
        c.order = h.order();
        c.attributes = parseAttributes(h.attributes());
        String type = c.attributes == null ? null : c.attributes.get(io.quiver.broker.send.SendRouter.MESSAGE_TYPE_ATTRIBUTE);
        if (type != null && !java.util.Set.of("NORMAL", "FIFO", "DELAY", "TRANSACTION", "MIXED").contains(type.toUpperCase())) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "message.type must be NORMAL, FIFO, DELAY, TRANSACTION or MIXED, got " + type);
            return;
        }
        if ("MIXED".equalsIgnoreCase(type)) {
            c.attributes.remove(io.quiver.broker.send.SendRouter.MESSAGE_TYPE_ATTRIBUTE); // MIXED: accepts every kind, like no declaration
        }
        CompletableFuture<Void> written = topics.put(c);
        if (written == null) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] topic " + h.topic() + " is not created: "
                + topics.limitRemark(h.topic()));
            return;
        }
        DurableReply.whenWritten(ctx, CompletableFuture.allOf(written, announce.get())); // on disk and announced
    }

    /** Parses RocketMQ 5 topic attributes, e.g. {@code +message.type=TRANSACTION,+other=x}; null if none. */
    static java.util.Map<String, String> parseAttributes(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String part : raw.split(",")) {
            String p = part.trim();
            if (p.startsWith("+")) {
                p = p.substring(1);
            } else if (p.startsWith("-")) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq > 0) {
                m.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return m.isEmpty() ? null : m;
    }

    public void deleteTopic(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        if (TopicNames.isSystem(topic)) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "The topic[" + topic + "] is conflict with system topic.");
            return;
        }
        CompletableFuture<Void> written = topics.delete(topic);
        offsets.removeTopic(topic);
        traffic.forget(topic);
        CompletableFuture<Void> announced = announce.get();
        if (written == null) {
            ctx.reply(ResponseCode.SUCCESS, null); // nothing to delete: answered as RocketMQ does
            return;
        }
        DurableReply.whenWritten(ctx, CompletableFuture.allOf(written, announced));
    }

    public void allTopicConfig(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .body(Json.encode(topics.snapshot(config.brokerPermission))));
    }

    /** GET_TOPIC_CONFIG (5.x): one topic's config. */
    public void topicConfig(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        TopicConfig c = topics.get(topic);
        if (c == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "No topic in this broker. topic: " + topic);
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(Map.of("topicConfig", c))));
    }

    /**
     * GET_SYSTEM_TOPIC_LIST_FROM_BROKER (mqadmin exportMetadata, exportMetrics): the topics this broker counts as its
     * own, which those tools leave out: RocketMQ's fixed set, the cluster and broker names, the cluster's reply topic,
     * and every system topic in the table.
     */
    public void systemTopics(RequestContext ctx, RemotingCommand req) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(SYSTEM_TOPICS);
        names.add(config.brokerClusterName);
        names.add(config.brokerName);
        names.add(config.brokerClusterName + "_REPLY_TOPIC");
        for (String t : topics.all().keySet()) {
            if (io.quiver.protocol.message.TopicNames.isSystem(t)) {
                names.add(t);
            }
        }
        TopicListBody body = new TopicListBody();
        body.topicList.addAll(names);
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(io.quiver.protocol.body.Json.encode(body)));
    }

    /** RocketMQ's fixed system topics (its TopicValidator's set). */
    static final java.util.Set<String> SYSTEM_TOPICS = java.util.Set.of("TBW102", "SCHEDULE_TOPIC_XXXX", "BenchmarkTest",
        "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRACE_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC",
        "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT");

    /** A TopicList body without a broker address: {@code {"topicList":[...]}}. */
    public static final class TopicListBody {
        public java.util.List<String> topicList = new java.util.ArrayList<>();
    }
}
