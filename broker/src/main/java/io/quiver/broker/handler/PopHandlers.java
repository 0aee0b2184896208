package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.pop.PopLedger;
import io.quiver.broker.pop.PopService;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionData;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.HeaderReader;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RequestContext;
import io.quiver.store.MessageFilter;
import java.nio.ByteBuffer;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * POP_MESSAGE, ACK_MESSAGE and CHANGE_MESSAGE_INVISIBLETIME (RocketMQ 5's remoting codes and header fields): the
 * wire side of {@link PopService}. A pop that finds nothing waits up to its {@code pollTime} in the
 * {@link LongPollingService}, woken by the next message stored in the topic (or its POP retry topic), or by a
 * confirmation in controller mode; at most {@link #MAX_WAITING_POPS} wait at once (beyond: POLLING_FULL).
 */
public final class PopHandlers {
    /**
     * Most messages one pop returns. The official remoting clients ask 32 at most (RocketMQ's brokers refuse more);
     * Quiver's gRPC endpoint asks more for push consumers, and {@link PopService#MAX_POP_BYTES} bounds the bytes.
     */
    public static final int MAX_MESSAGES_PER_POP = 256;
    public static final int MAX_WAITING_POPS = 10_000;
    /** Longest wait of one pop (the official clients ask 15 s). */
    static final long MAX_POLL_MILLIS = 60_000;
    static final long MAX_INVISIBLE_MILLIS = 12 * 3_600_000L;
    static final long MIN_INVISIBLE_MILLIS = 1_000;

    private final BrokerConfig config;
    private final TopicTable topics;
    private final SubscriptionGroupTable groups;
    private final PopService pops;
    private final LongPollingService waits;
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile io.quiver.broker.trace.Tracer tracer = io.quiver.broker.trace.Tracer.NONE;

    /** Reports what pops hand out to the trace store. */
    public void traceWith(io.quiver.broker.trace.Tracer t) {
        tracer = t;
    }
    /** Pops waiting now per {@code topic@group@queueId} (POLLING_INFO); at most {@link #MAX_WAITING_POPS} keys. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> waitingByKey =
        new java.util.concurrent.ConcurrentHashMap<>();

    public PopHandlers(BrokerConfig config, TopicTable topics, SubscriptionGroupTable groups, PopService pops,
                       LongPollingService waits) {
        this.config = config;
        this.topics = topics;
        this.groups = groups;
        this.pops = pops;
        this.waits = waits;
    }

    public void pop(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        String group = h.string("consumerGroup");
        String topicName = h.string("topic");
        int queueId = h.int32("queueId");
        int max = h.int32("maxMsgNums");
        long invisible = h.int64("invisibleTime");
        long pollTime = h.optInt64("pollTime", 0);
        int initMode = h.optInt32("initMode", 1);
        boolean order = "true".equals(h.optString("order"));
        String expType = h.optString("expType");
        String exp = h.optString("exp");
        if (!PermName.isReadable(config.brokerPermission)) {
            fail(ctx, ResponseCode.NO_PERMISSION, "the broker " + config.brokerName + " is not readable now", invisible);
            return;
        }
        if (PopService.retryTopic(group, topicName).length() > io.quiver.protocol.message.TopicNames.MAX_LENGTH
            || io.quiver.protocol.message.TopicNames.dlqTopic(group).length() > io.quiver.protocol.message.TopicNames.MAX_LENGTH) {
            fail(ctx, ResponseCode.SYSTEM_ERROR, "group " + group + " and topic " + topicName + " are too long for POP: "
                + "the POP retry topic %RETRY%group_topic must fit in " + io.quiver.protocol.message.TopicNames.MAX_LENGTH
                + " characters", invisible);
            return;
        }
        if (pollTime > MAX_POLL_MILLIS) {
            pollTime = MAX_POLL_MILLIS;
        }
        if (max < 1 || max > MAX_MESSAGES_PER_POP) {
            fail(ctx, ResponseCode.SYSTEM_ERROR, "maxMsgNums must be 1 to " + MAX_MESSAGES_PER_POP + ", not " + max, invisible);
            return;
        }
        if (invisible < MIN_INVISIBLE_MILLIS || invisible > MAX_INVISIBLE_MILLIS) {
            fail(ctx, ResponseCode.SYSTEM_ERROR, "invisibleTime must be " + MIN_INVISIBLE_MILLIS + " to " + MAX_INVISIBLE_MILLIS
                + " ms, not " + invisible, invisible);
            return;
        }
        TopicConfig topic = topics.get(topicName);
        if (topic == null) {
            fail(ctx, ResponseCode.TOPIC_NOT_EXIST, "topic " + topicName + " does not exist on broker " + config.brokerName,
                invisible);
            return;
        }
        if (!PermName.isReadable(topic.perm)) {
            fail(ctx, ResponseCode.NO_PERMISSION, "topic " + topicName + " is not readable", invisible);
            return;
        }
        if (queueId >= topic.readQueueNums) {
            fail(ctx, ResponseCode.SYSTEM_ERROR, "queueId " + queueId + " is illegal: topic " + topicName + " has "
                + topic.readQueueNums + " read queues on broker " + config.brokerName, invisible);
            return;
        }
        SubscriptionGroupConfig g = groups.findOrCreate(group, config.autoCreateSubscriptionGroup);
        if (g == null) {
            fail(ctx, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, groups.missingRemark(group,
                config.autoCreateSubscriptionGroup), invisible);
            return;
        }
        if (!g.consumeEnable) {
            fail(ctx, ResponseCode.NO_PERMISSION, "consumer group " + group + " may not consume (consumeEnable=false)",
                invisible);
            return;
        }
        MessageFilter filter;
        try {
            filter = filter(topicName, expType, exp);
        } catch (IllegalArgumentException e) {
            fail(ctx, ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage(), invisible);
            return;
        }
        PopService.Request r = new PopService.Request(group, topicName, queueId < 0 ? -1 : queueId, topic.readQueueNums,
            max, invisible, initMode == 0, filter, order);
        attempt(ctx, r, System.currentTimeMillis() + Math.max(0, pollTime), false);
    }

    private MessageFilter filter(String topic, String expType, String exp) {
        if (exp == null || exp.isBlank() || SubscriptionData.SUB_ALL.equals(exp.trim())) {
            return MessageFilter.ALL;
        }
        if (SubscriptionData.SQL92.equalsIgnoreCase(expType)) {
            if (!config.enablePropertyFilter) {
                throw new IllegalArgumentException("SQL92 filtering is disabled on this broker (enablePropertyFilter=false)");
            }
            return TagFilter.ofSql(TagFilter.sql(exp));
        }
        return TagFilter.of(SubscriptionData.ofTags(topic, exp, 0));
    }

    private void attempt(RequestContext ctx, PopService.Request r, long deadline, boolean counted) {
        if (counted && !ctx.isConnected()) {
            release(true, r); // its client is gone: a pop now would hide messages from everyone for their invisible time
            return;
        }
        long seen = waits.watchTopic(r.topic());
        pops.pop(r).whenCompleteAsync((popped, failure) -> {
            if (failure != null) {
                release(counted, r);
                fail(ctx, ResponseCode.SYSTEM_BUSY, failure.getMessage(), r.invisibleMillis());
                return;
            }
            if (popped.count() > 0) {
                release(counted, r);
                String client = PullHandler.address(ctx);
                for (PopService.QueuePop q : popped.queues()) {
                    tracer.popped(r.group(), client, q.realTopic(), q.queueId(), q.offsets(), r.invisibleMillis());
                }
                ctx.reply(found(ctx, r, popped));
                return;
            }
            if (System.currentTimeMillis() >= deadline) {
                release(counted, r);
                ctx.reply(header(ctx.response(ResponseCode.POLLING_TIMEOUT, "no new message"), popped.popTime(),
                    r.invisibleMillis(), r.order(), popped.restNum()));
                return;
            }
            if (!counted && waiting.incrementAndGet() > MAX_WAITING_POPS) {
                waiting.decrementAndGet();
                ctx.reply(header(ctx.response(ResponseCode.POLLING_FULL, MAX_WAITING_POPS + " pops are waiting already"),
                    popped.popTime(), r.invisibleMillis(), r.order(), 0));
                return;
            }
            if (!counted) {
                waitingByKey.computeIfAbsent(pollingKey(r.topic(), r.group(), r.queueId()), k -> new AtomicInteger())
                    .incrementAndGet();
            }
            LongPollingService.Parked wait = parked(deadline, again -> attempt(ctx, r, again ? deadline : 0, true));
            if (!waits.parkOnTopic(r.topic(), seen, wait)) {
                release(true, r);
                ctx.reply(header(ctx.response(ResponseCode.POLLING_FULL, "too many requests wait for messages already"),
                    popped.popTime(), r.invisibleMillis(), r.order(), 0));
            }
        }, replyOn(ctx));
    }

    /** Where answers are built: the request's pool (never the store's writer or the pop thread). */
    private static java.util.concurrent.Executor replyOn(RequestContext ctx) {
        java.util.concurrent.Executor e = ctx.executor();
        return e != null ? e : Runnable::run;
    }

    /** Wakes the pops waiting on {@code topic} (messages were redelivered to its POP retry topic). */
    public void retryStored(String topic) {
        waits.notifyArrival(topic, LongPollingService.ANY_QUEUE);
    }

    private void release(boolean counted, PopService.Request r) {
        if (counted) {
            waiting.decrementAndGet();
            waitingByKey.computeIfPresent(pollingKey(r.topic(), r.group(), r.queueId()),
                (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    static String pollingKey(String topic, String group, int queueId) {
        return topic + "@" + group + "@" + queueId;
    }

    private static RemotingCommand found(RequestContext ctx, PopService.Request r, PopService.Popped p) {
        StringJoiner starts = new StringJoiner(";");
        StringJoiner offsets = new StringJoiner(";");
        java.util.List<ByteBuffer> records = new java.util.ArrayList<>();
        for (PopService.QueuePop q : p.queues()) {
            String marker = q.retry() ? "1" : "0";
            starts.add(marker + " " + q.queueId() + " " + q.startOffset());
            StringJoiner list = new StringJoiner(",");
            for (long o : q.offsets()) {
                list.add(Long.toString(o));
            }
            offsets.add(marker + " " + q.queueId() + " " + list);
            records.addAll(q.records());
        }
        byte[] body = concat(records);
        RemotingCommand resp = header(ctx.response(ResponseCode.SUCCESS, "FOUND"), p.popTime(), r.invisibleMillis(),
            r.order(), p.restNum());
        resp.putExt("startOffsetInfo", starts.toString()).putExt("msgOffsetInfo", offsets.toString());
        if (r.order()) {
            resp.putExt("orderCountInfo", orderCountInfo(p));
        }
        return resp.body(body);
    }

    /**
     * FIFO pops: how often each message came back, as RocketMQ's clients read it ({@code orderCountInfo}): one
     * {@code marker qo<queue>%<offset> <count>} per redelivered message, then {@code marker queue minCount} per queue.
     */
    public static String orderCountInfo(PopService.Popped p) {
        StringJoiner out = new StringJoiner(";");
        for (PopService.QueuePop q : p.queues()) {
            String marker = q.retry() ? "1" : "0";
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < q.offsets().length; i++) {
                int n = q.redeliveries()[i];
                if (n > 0) {
                    out.add(marker + " qo" + q.queueId() + "%" + q.offsets()[i] + " " + n);
                }
                min = Math.min(min, n);
            }
            out.add(marker + " " + q.queueId() + " " + (min == Integer.MAX_VALUE ? 0 : min));
        }
        return out.toString();
    }

    /** The records one after another, as a POP or PEEK body. */
    static byte[] concat(java.util.List<ByteBuffer> records) {
        byte[] body = new byte[records.stream().mapToInt(ByteBuffer::remaining).sum()];
        int at = 0;
        for (ByteBuffer b : records) {
            int n = b.remaining();
            b.duplicate().get(body, at, n);
            at += n;
        }
        return body;
    }

    /** A wait until {@code deadline} that, woken, calls {@code resume} with whether it may wait again. */
    static LongPollingService.Parked parked(long deadline, java.util.function.Consumer<Boolean> resume) {
        return new LongPollingService.Parked() {
            @Override
            public long deadlineMillis() {
                return deadline;
            }

            @Override
            public void resume(boolean mayParkAgain) {
                resume.accept(mayParkAgain);
            }
        };
    }

    /** The numeric fields the official clients decode from every POP answer, success or not. */
    private static RemotingCommand header(RemotingCommand resp, long popTime, long invisible, boolean order, long rest) {
        return resp.putExt("popTime", popTime).putExt("invisibleTime", invisible)
            .putExt("reviveQid", order ? PopService.ORDER_REVIVE_QID : PopService.REVIVE_QID).putExt("restNum", rest);
    }

    private static void fail(RequestContext ctx, int code, String remark, long invisible) {
        ctx.reply(header(ctx.response(code, remark), 0, invisible, false, 0));
    }

    /** Most acknowledgements one BATCH_ACK_MESSAGE may carry (each a checkpoint and a bit set). */
    static final int MAX_BATCH_ACKS = 1024;

    /**
     * BATCH_ACK_MESSAGE: a JSON body of acknowledgements, each naming a checkpoint (group, original topic, retry flag,
     * queue, start offset, pop time) and, as a Base64 bit set, which offsets from its start are acknowledged. As in
     * RocketMQ, acknowledgements of nothing open are skipped; an empty or unreadable body gets NO_MESSAGE.
     */
    public void batchAck(RequestContext ctx, RemotingCommand req) {
        java.util.List<java.util.concurrent.CompletableFuture<Boolean>> acks = new java.util.ArrayList<>();
        java.util.Set<String> freed = new java.util.HashSet<>();
        try {
            com.fasterxml.jackson.databind.JsonNode body = req.body() == null ? null
                : io.quiver.protocol.body.Json.mapper().readTree(req.body());
            com.fasterxml.jackson.databind.JsonNode list = body == null ? null : body.get("acks");
            if (list == null || !list.isArray() || list.isEmpty()) {
                ctx.reply(ResponseCode.NO_MESSAGE, "the body lists no acknowledgement (acks)");
                return;
            }
            if (list.size() > MAX_BATCH_ACKS) {
                ctx.reply(ResponseCode.MESSAGE_ILLEGAL, "at most " + MAX_BATCH_ACKS + " acknowledgements per request, not "
                    + list.size());
                return;
            }
            for (com.fasterxml.jackson.databind.JsonNode a : list) {
                String group = text(a, "c", "consumerGroup");
                String topic = text(a, "t", "topic");
                boolean retry = "1".equals(text(a, "r", "retry"));
                long start = number(a, "so", "startOffset");
                int queueId = (int) number(a, "q", "queueId");
                long popTime = number(a, "pt", "popTime");
                java.util.BitSet bits = java.util.BitSet.valueOf(java.util.Base64.getDecoder().decode(text(a, "b", "bitSet")));
                if (group == null || topic == null || bits.length() > io.quiver.broker.pop.PopLedger.MAX_OFFSETS_PER_CHECKPOINT) {
                    continue; // not an acknowledgement of anything this broker handed out
                }
                String real = retry ? PopService.retryTopic(group, topic) : topic;
                PopLedger.CheckpointId id = new PopLedger.CheckpointId(new PopLedger.Queue(group, real, queueId), start,
                    popTime);
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    acks.add(pops.ack(id, start + i));
                }
                if (a.has("rq") && number(a, "rq", "reviveQueueId") == PopService.ORDER_REVIVE_QID) {
                    freed.add(real); // FIFO queues may be free again once these are recorded
                }
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            ctx.reply(ResponseCode.NO_MESSAGE, "the body is not a batch of acknowledgements: " + e.getMessage());
            return;
        }
        java.util.concurrent.CompletableFuture.allOf(acks.toArray(new java.util.concurrent.CompletableFuture[0]))
            .whenComplete((v, failure) -> {
                freed.forEach(t -> waits.notifyArrival(t, LongPollingService.ANY_QUEUE));
                if (failure != null) {
                    ctx.reply(ResponseCode.SYSTEM_ERROR, "an acknowledgement was not recorded: " + failure.getMessage());
                } else {
                    ctx.reply(ResponseCode.SUCCESS, null);
                }
            });
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String shortName, String longName) {
        com.fasterxml.jackson.databind.JsonNode v = n.has(shortName) ? n.get(shortName) : n.get(longName);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static long number(com.fasterxml.jackson.databind.JsonNode n, String shortName, String longName) {
        com.fasterxml.jackson.databind.JsonNode v = n.has(shortName) ? n.get(shortName) : n.get(longName);
        if (v == null || !v.canConvertToLong() && !v.isTextual()) {
            throw new IllegalArgumentException("field " + shortName + " is missing or not a number");
        }
        return v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
    }

    /** The topic a peek, notification or polling-info names, or null after answering why it cannot be used. */
    private TopicConfig readable(RequestContext ctx, String group, String topicName, int queueId, boolean withPopHeader) {
        java.util.function.BiConsumer<Integer, String> refuse = (code, remark) -> {
            RemotingCommand resp = ctx.response(code, remark);
            ctx.reply(withPopHeader ? header(resp, 0, 0, false, 0) : resp);
        };
        if (!PermName.isReadable(config.brokerPermission)) {
            refuse.accept(ResponseCode.NO_PERMISSION, "the broker " + config.brokerName + " is not readable now");
            return null;
        }
        TopicConfig topic = topics.get(topicName);
        if (topic == null) {
            refuse.accept(ResponseCode.TOPIC_NOT_EXIST, "topic " + topicName + " does not exist on broker " + config.brokerName);
            return null;
        }
        if (!PermName.isReadable(topic.perm)) {
            refuse.accept(ResponseCode.NO_PERMISSION, "topic " + topicName + " is not readable");
            return null;
        }
        if (queueId >= topic.readQueueNums) {
            refuse.accept(ResponseCode.SYSTEM_ERROR, "queueId " + queueId + " is illegal: topic " + topicName + " has "
                + topic.readQueueNums + " read queues on broker " + config.brokerName);
            return null;
        }
        if (groups.findOrCreate(group, config.autoCreateSubscriptionGroup) == null) {
            refuse.accept(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, groups.missingRemark(group,
                config.autoCreateSubscriptionGroup));
            return null;
        }
        return topic;
    }

    /** PEEK_MESSAGE: the records the group's next pops would take, taking nothing (POP's body format). */
    public void peek(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        String group = h.string("consumerGroup");
        String topicName = h.string("topic");
        int queueId = h.int32("queueId");
        int max = Math.max(1, Math.min(MAX_MESSAGES_PER_POP, h.int32("maxMsgNums")));
        TopicConfig topic = readable(ctx, group, topicName, queueId, true);
        if (topic == null) {
            return;
        }
        pops.peek(group, topicName, queueId, topic.readQueueNums, max).whenCompleteAsync((peeked, failure) -> {
            if (failure != null) {
                fail(ctx, ResponseCode.SYSTEM_BUSY, failure.getMessage(), 0);
                return;
            }
            if (peeked.records().isEmpty()) {
                ctx.reply(header(ctx.response(ResponseCode.PULL_NOT_FOUND, "no message to peek"), 0, 0, false,
                    peeked.restNum()));
                return;
            }
            ctx.reply(header(ctx.response(ResponseCode.SUCCESS, null), 0, 0, false, peeked.restNum())
                .body(concat(peeked.records())));
        }, replyOn(ctx));
    }

    /**
     * NOTIFICATION: whether a pop would find something now ({@code hasMsg}); if not, waits up to {@code pollTime} for a
     * message, woken as pops are, and answers with what it sees then.
     */
    public void notification(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        String group = h.string("consumerGroup");
        String topicName = h.string("topic");
        int queueId = h.int32("queueId");
        long pollTime = Math.max(0, Math.min(MAX_POLL_MILLIS, h.optInt64("pollTime", 0)));
        boolean order = "true".equals(h.optString("order"));
        TopicConfig topic = readable(ctx, group, topicName, queueId, false);
        if (topic == null) {
            return;
        }
        lookForBacklog(ctx, group, topicName, queueId, topic.readQueueNums, order, System.currentTimeMillis() + pollTime, false);
    }

    private void lookForBacklog(RequestContext ctx, String group, String topic, int queueId, int queues, boolean order,
                        long deadline, boolean counted) {
        long seen = waits.watchTopic(topic);
        pops.hasBacklog(group, topic, queueId, queues, order).whenCompleteAsync((has, failure) -> {
            if (failure != null || has || System.currentTimeMillis() >= deadline) {
                if (counted) {
                    waiting.decrementAndGet();
                }
                ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("hasMsg", failure == null && has));
                return;
            }
            if (!counted && waiting.incrementAndGet() > MAX_WAITING_POPS) {
                waiting.decrementAndGet();
                ctx.reply(ctx.response(ResponseCode.SUCCESS, "too many requests wait already").putExt("hasMsg", false));
                return;
            }
            LongPollingService.Parked wait = parked(deadline, again -> lookForBacklog(ctx, group, topic, queueId, queues,
                order, again ? deadline : 0, true));
            if (!waits.parkOnTopic(topic, seen, wait)) {
                waiting.decrementAndGet();
                ctx.reply(ctx.response(ResponseCode.SUCCESS, "too many requests wait already").putExt("hasMsg", false));
            }
        }, replyOn(ctx));
    }

    /** POLLING_INFO: how many pops of this group, topic and queue (-1: all queues) wait now. */
    public void pollingInfo(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        String group = h.string("consumerGroup");
        String topicName = h.string("topic");
        int queueId = h.int32("queueId");
        if (readable(ctx, group, topicName, queueId, false) == null) {
            return;
        }
        AtomicInteger n = waitingByKey.get(pollingKey(topicName, group, queueId));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("pollingNum", n == null ? 0 : n.get()));
    }

    /** A receipt (POP_CK / extraInfo): start offset, pop time, invisible time, revive queue, marker, broker, queue, offset. */
    record Receipt(long startOffset, long popTime, boolean order) {
        static Receipt parse(String extraInfo) {
            String[] f = extraInfo == null ? new String[0] : extraInfo.trim().split(" ");
            if (f.length < 7) {
                throw new IllegalArgumentException("extraInfo '" + extraInfo + "' is not a POP receipt (it needs at least 7 "
                    + "space-separated fields: start offset, pop time, invisible time, revive queue, retry flag, broker, "
                    + "queue)");
            }
            try {
                return new Receipt(Long.parseLong(f[0]), Long.parseLong(f[1]),
                    Integer.toString(PopService.ORDER_REVIVE_QID).equals(f[3]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("extraInfo '" + extraInfo + "' has no numeric start offset and pop time");
            }
        }
    }

    public void ack(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        ack(h.string("consumerGroup"), h.string("topic"), h.int32("queueId"), h.string("extraInfo"), h.int64("offset"))
            .whenComplete((o, failure) -> ctx.reply(o.code() == ResponseCode.MESSAGE_ILLEGAL
                || o.code() == ResponseCode.TOPIC_NOT_EXIST ? changed(ctx.response(o.code(), o.remark()), 0, 0)
                : ctx.response(o.code(), o.remark())));
    }

    /** What became of one acknowledgement: a remoting response code and remark. */
    public record Acked(int code, String remark) {}

    /**
     * Acknowledges the message at {@code offset} popped under the receipt {@code extraInfo}; never completes
     * exceptionally. ACK_MESSAGE enters here once decoded, and so does the gRPC endpoint's AckMessage.
     */
    public java.util.concurrent.CompletableFuture<Acked> ack(String group, String topic, int queueId, String extraInfo,
                                                            long offset) {
        Receipt receipt;
        try {
            receipt = Receipt.parse(extraInfo);
        } catch (IllegalArgumentException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(new Acked(ResponseCode.MESSAGE_ILLEGAL,
                e.getMessage()));
        }
        if (topics.get(topic) == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(new Acked(ResponseCode.TOPIC_NOT_EXIST,
                "topic " + topic + " does not exist on broker " + config.brokerName));
        }
        PopLedger.CheckpointId id = new PopLedger.CheckpointId(new PopLedger.Queue(group, topic, queueId),
            receipt.startOffset(), receipt.popTime());
        return pops.ack(id, offset).handle((acked, failure) -> {
            if (failure != null) {
                return new Acked(ResponseCode.SYSTEM_ERROR, "the acknowledgement was not recorded: " + failure.getMessage());
            }
            if (receipt.order() && acked) {
                waits.notifyArrival(topic, LongPollingService.ANY_QUEUE); // a FIFO queue may be free again
            }
            // as RocketMQ: an acknowledgement of nothing open is not an error
            return new Acked(ResponseCode.SUCCESS, acked ? null : "nothing invisible under this receipt (already "
                + "acknowledged or redelivered)");
        });
    }

    public void changeInvisibleTime(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        PopLedger.CheckpointId id = checkpoint(ctx, h);
        if (id == null) {
            return;
        }
        long offset = h.int64("offset");
        long invisible = h.int64("invisibleTime");
        if (invisible < 0 || invisible > MAX_INVISIBLE_MILLIS) {
            ctx.reply(changed(ctx.response(ResponseCode.SYSTEM_ERROR, "invisibleTime must be 0 to " + MAX_INVISIBLE_MILLIS
                + " ms, not " + invisible), 0, 0));
            return;
        }
        pops.changeInvisible(id, offset, invisible).whenComplete((c, failure) -> {
            if (failure != null) {
                ctx.reply(changed(ctx.response(ResponseCode.SYSTEM_ERROR, "the change was not recorded: "
                    + failure.getMessage()), 0, 0));
            } else if (c == null) {
                ctx.reply(changed(ctx.response(ResponseCode.NO_MESSAGE, "nothing invisible under this receipt (already "
                    + "acknowledged or redelivered)"), 0, 0));
            } else {
                ctx.reply(changed(ctx.response(ResponseCode.SUCCESS, null), c.popTime(), c.invisibleMillis()));
            }
        });
    }

    private static RemotingCommand changed(RemotingCommand resp, long popTime, long invisible) {
        return resp.putExt("popTime", popTime).putExt("invisibleTime", invisible).putExt("reviveQid", PopService.REVIVE_QID);
    }

    /** The checkpoint an ACK or CHANGE names, or null after answering why it names none. */
    private PopLedger.CheckpointId checkpoint(RequestContext ctx, HeaderReader h) {
        String group = h.string("consumerGroup");
        String topic = h.string("topic");
        int queueId = h.int32("queueId");
        Receipt receipt;
        try {
            receipt = Receipt.parse(h.string("extraInfo"));
        } catch (IllegalArgumentException e) {
            ctx.reply(changed(ctx.response(ResponseCode.MESSAGE_ILLEGAL, e.getMessage()), 0, 0));
            return null;
        }
        if (topics.get(topic) == null) {
            ctx.reply(changed(ctx.response(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic + " does not exist on broker "
                + config.brokerName), 0, 0));
            return null;
        }
        return new PopLedger.CheckpointId(new PopLedger.Queue(group, topic, queueId), receipt.startOffset(),
            receipt.popTime());
    }
}
