package io.quiver.broker.handler;

import io.netty.buffer.Unpooled;
import io.quiver.broker.BrokerContext;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.KvTable;
import io.quiver.protocol.body.SmallBodies;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.HeaderReader;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * Admin requests used by mqadmin and the quiver CLI (fact sheet §9.4): topics, groups, configuration,
 * runtime info, message lookup by offset id, and connection lists.
 */
public final class AdminHandlers {
    private final BrokerContext broker;
    private final long startMillis = System.currentTimeMillis();

    public AdminHandlers(BrokerContext broker) {
        this.broker = broker;
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
        java.util.concurrent.CompletableFuture<Void> written = broker.topics().put(c);
        if (written == null) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] topic " + h.topic() + " is not created: the broker holds "
                + broker.topics().size() + " topics, its limit (maxTopicCount=" + broker.topics().limit() + ")");
            return;
        }
        broker.registerWithNameServersSoon();
        answerWhenWritten(ctx, written);
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
        broker.topics().delete(topic);
        broker.offsets().removeTopic(topic);
        broker.traffic().forget(topic);
        broker.registerWithNameServersSoon();
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void allTopicConfig(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .body(Json.encode(broker.topics().snapshot(broker.config().brokerPermission))));
    }

    /** GET_TOPIC_CONFIG (5.x): one topic's config. */
    public void topicConfig(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        TopicConfig c = broker.topics().get(topic);
        if (c == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "No topic in this broker. topic: " + topic);
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(Map.of("topicConfig", c))));
    }

    public void createGroup(RequestContext ctx, RemotingCommand req) {
        SubscriptionGroupConfig c = Json.decode(req.body(), SubscriptionGroupConfig.class);
        if (c.groupName == null || c.groupName.isBlank()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the subscription group config has no groupName");
            return;
        }
        java.util.concurrent.CompletableFuture<Void> written = broker.groups().put(c);
        if (written == null) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] consumer group " + c.groupName + " is not created: the broker "
                + "holds " + broker.groups().size() + " groups, its limit (maxSubscriptionGroupCount="
                + broker.groups().limit() + ")");
            return;
        }
        answerWhenWritten(ctx, written);
    }

    /** Answers an admin change once it is on disk (the background write runs about twice a second). */
    private static void answerWhenWritten(RequestContext ctx, java.util.concurrent.CompletableFuture<Void> written) {
        written.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).whenCompleteAsync((v, e) -> ctx.reply(
            e == null ? ResponseCode.SUCCESS : ResponseCode.SYSTEM_ERROR,
            e == null ? null : "the change is applied but writing it to disk did not finish in 10 s; see the broker log"),
            ctx.executor());
    }

    public void deleteGroup(RequestContext ctx, RemotingCommand req) {
        HeaderReader r = new HeaderReader(req);
        String group = r.string("groupName");
        broker.groups().delete(group);
        if (r.optBool("removeOffset", false) || r.optBool("cleanOffset", false)) {
            broker.offsets().removeGroup(group);
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void allGroupConfig(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(broker.groups().snapshot())));
    }

    public void brokerConfig(RequestContext ctx, RemotingCommand req) {
        StringBuilder sb = new StringBuilder();
        broker.config().asMap().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .putExt("version", Json.encodeToString(broker.topics().dataVersion()))
            .body(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public void runtimeInfo(RequestContext ctx, RemotingCommand req) {
        KvTable t = new KvTable();
        t.table.put("brokerVersionDesc", "V4_9_8");
        t.table.put("brokerVersion", "409");
        t.table.put("quiverVersion", "0.1.0");
        t.table.put("brokerActive", "true");
        t.table.put("bootTimestamp", Long.toString(startMillis));
        io.quiver.broker.metrics.Traffic tr = broker.traffic();
        // RocketMQ's form: messages per second over the last 10 s, 1 min and 10 min.
        String putTps = String.format(java.util.Locale.ROOT, "%.2f %.2f %.2f", tr.putTps(10_000), tr.putTps(60_000),
            tr.putTps(600_000));
        String getTps = String.format(java.util.Locale.ROOT, "%.2f %.2f %.2f", tr.getTps(10_000), tr.getTps(60_000),
            tr.getTps(600_000));
        t.table.put("putTps", putTps);
        t.table.put("getTransferedTps", getTps);
        t.table.put("getTransferredTps", getTps);
        t.table.put("msgPutTotalTodayNow", Long.toString(tr.putTotal()));
        t.table.put("msgGetTotalTodayNow", Long.toString(tr.getTotal()));
        t.table.put("msgPutTotalTodayMorning", Long.toString(tr.putTodayMorning()));
        t.table.put("msgGetTotalTodayMorning", Long.toString(tr.getTodayMorning()));
        t.table.put("msgPutTotalYesterdayMorning", Long.toString(tr.putYesterdayMorning()));
        t.table.put("msgGetTotalYesterdayMorning", Long.toString(tr.getYesterdayMorning()));
        t.table.put("sendThreadPoolQueueSize", "0");
        t.table.put("pullThreadPoolQueueSize", "0");
        t.table.put("drainState", broker.drainService().describe());
        t.table.put("retries", Long.toString(tr.retries()));
        t.table.put("deadLetters", Long.toString(tr.deadLetters()));
        t.table.put("delayedPending", Long.toString(broker.schedule().pending() + broker.timers().pending()));
        t.table.put("diskUsedRatio", String.format(java.util.Locale.ROOT, "%.4f", broker.store().diskUsedRatio()));
        t.table.put("commitLogMaxOffset", Long.toString(broker.store().commitLogWritePosition()));
        t.table.put("commitLogMinOffset", Long.toString(broker.store().commitLogMinOffset()));
        t.table.put("flushDiskType", broker.config().flushDiskType.name());
        t.table.put("pullParkedCount", Integer.toString(broker.longPolling().parkedCount()));
        t.table.put("clientConnections", Integer.toString(broker.clients().connectionCount()));
        t.table.put("binaryHeaderRequests", Long.toString(broker.server().binaryRequestCount()));
        broker.transactions().counters().forEach((k, v) -> t.table.put("transaction." + k, Long.toString(v)));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(t)));
    }

    public void viewMessage(RequestContext ctx, RemotingCommand req) {
        long offset = RequestHeaders.ViewMessageById.decode(req).offset();
        ByteBuffer record = broker.store().recordAt(offset);
        if (record == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "can not find message by the offset, " + offset);
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).bodyBuf(Unpooled.wrappedBuffer(record)));
    }

    /** Most messages one QUERY_MESSAGE returns: by unique key, and by key (fact sheet §9.1). */
    public static final int MAX_QUERY_UNIQUE = 32;
    public static final int MAX_QUERY_KEY = 64;

    /** QUERY_MESSAGE: by KEYS word, or by UNIQ_KEY when the ext field _UNIQUE_KEY_QUERY is "true". */
    public void queryMessage(RequestContext ctx, RemotingCommand req) {
        HeaderReader r = new HeaderReader(req);
        String topic = r.string("topic");
        String key = r.string("key");
        int maxNum = r.int32("maxNum");
        long begin = r.int64("beginTimestamp");
        long end = r.int64("endTimestamp");
        boolean unique = r.optBool("_UNIQUE_KEY_QUERY", false);
        int max = Math.max(1, Math.min(maxNum, unique ? MAX_QUERY_UNIQUE : MAX_QUERY_KEY));
        java.util.List<ByteBuffer> found = broker.store().query(topic, key, unique, max, begin, end);
        if (found.isEmpty()) {
            ctx.reply(ResponseCode.QUERY_NOT_FOUND, "no message of topic " + topic + " with "
                + (unique ? "unique key " : "key ") + key + " in the given time range");
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .putExt("indexLastUpdateTimestamp", System.currentTimeMillis())
            .putExt("indexLastUpdatePhyoffset", broker.store().indexedUpTo())
            .bodyBuf(Unpooled.wrappedBuffer(found.toArray(new ByteBuffer[0]))));
    }

    /** One GroupList body: {@code {"groupList":[...]}}. */
    public static final class GroupList {
        public java.util.Set<String> groupList = new java.util.TreeSet<>();
    }

    /** QUERY_TOPIC_CONSUME_BY_WHO: online groups subscribed to the topic, and groups with offsets on it. */
    public void topicConsumers(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        GroupList body = new GroupList();
        for (ConsumerGroupState g : broker.clients().consumerGroups()) {
            if (!g.isEmpty() && g.subscription(topic) != null) {
                body.groupList.add(g.group());
            }
        }
        broker.offsets().forEachOffset((group, t, queue, offset) -> {
            if (t.equals(topic)) {
                body.groupList.add(group);
            }
        });
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    public void consumerConnections(RequestContext ctx, RemotingCommand req) {
        String group = RequestHeaders.ConsumerGroup.decode(req).consumerGroup();
        ConsumerGroupState g = broker.clients().consumerGroup(group);
        if (g == null || g.isEmpty()) {
            ctx.reply(ResponseCode.CONSUMER_NOT_ONLINE, "the consumer group[" + group + "] not online");
            return;
        }
        SmallBodies.ConsumerConnection body = new SmallBodies.ConsumerConnection();
        body.connectionSet.addAll(connections(g.channels()).connectionSet);
        body.subscriptionTable.putAll(g.subscriptions());
        body.consumeType = g.consumeType();
        body.messageModel = g.messageModel();
        body.consumeFromWhere = g.consumeFromWhere();
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    public void producerConnections(RequestContext ctx, RemotingCommand req) {
        String group = new HeaderReader(req).string("producerGroup");
        Collection<ClientChannel> members = broker.clients().producers(group);
        if (members.isEmpty()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the producer group[" + group + "] not exist");
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(connections(members))));
    }

    private static SmallBodies.ProducerConnection connections(Collection<ClientChannel> members) {
        SmallBodies.ProducerConnection pc = new SmallBodies.ProducerConnection();
        for (ClientChannel c : members) {
            SmallBodies.Connection conn = new SmallBodies.Connection();
            conn.clientId = c.clientId();
            conn.clientAddr = c.remoteAddress();
            conn.language = c.language().name();
            conn.version = c.version();
            pc.connectionSet.add(conn);
        }
        return pc;
    }

    /** For completeness of {@link PermName} use in admin output. */
    static String perm(int p) {
        return PermName.describe(p);
    }
}
