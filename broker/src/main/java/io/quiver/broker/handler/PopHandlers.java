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
    /** Most messages one pop returns (the official clients' limit too). */
    public static final int MAX_MESSAGES_PER_POP = 32;
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
        if (order) {
            fail(ctx, ResponseCode.SYSTEM_ERROR, "FIFO (order=true) POP is not available in this Quiver version yet; "
                + "orderly consumers pull with queue locks", invisible);
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
        long seen = waits.watchTopic(r.topic());
        pops.pop(r).whenCompleteAsync((popped, failure) -> {
            if (failure != null) {
                release(counted);
                fail(ctx, ResponseCode.SYSTEM_BUSY, failure.getMessage(), r.invisibleMillis());
                return;
            }
            if (popped.count() > 0) {
                release(counted);
                ctx.reply(found(ctx, r, popped));
                return;
            }
            if (System.currentTimeMillis() >= deadline) {
                release(counted);
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
            LongPollingService.Parked wait = new LongPollingService.Parked() {
                @Override
                public long deadlineMillis() {
                    return deadline;
                }

                @Override
                public void resume(boolean mayParkAgain) {
                    attempt(ctx, r, mayParkAgain ? deadline : 0, true);
                }
            };
            if (!waits.parkOnTopic(r.topic(), seen, wait)) {
                waiting.decrementAndGet();
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

    private void release(boolean counted) {
        if (counted) {
            waiting.decrementAndGet();
        }
    }

    private static RemotingCommand found(RequestContext ctx, PopService.Request r, PopService.Popped p) {
        StringJoiner starts = new StringJoiner(";");
        StringJoiner offsets = new StringJoiner(";");
        int size = 0;
        for (PopService.QueuePop q : p.queues()) {
            String marker = q.retry() ? "1" : "0";
            starts.add(marker + " " + q.queueId() + " " + q.startOffset());
            StringJoiner list = new StringJoiner(",");
            for (long o : q.offsets()) {
                list.add(Long.toString(o));
            }
            offsets.add(marker + " " + q.queueId() + " " + list);
            for (ByteBuffer b : q.records()) {
                size += b.remaining();
            }
        }
        byte[] body = new byte[size];
        int at = 0;
        for (PopService.QueuePop q : p.queues()) {
            for (ByteBuffer b : q.records()) {
                int n = b.remaining();
                b.duplicate().get(body, at, n);
                at += n;
            }
        }
        RemotingCommand resp = header(ctx.response(ResponseCode.SUCCESS, "FOUND"), p.popTime(), r.invisibleMillis(),
            r.order(), p.restNum());
        resp.putExt("startOffsetInfo", starts.toString()).putExt("msgOffsetInfo", offsets.toString());
        return resp.body(body);
    }

    /** The numeric fields the official clients decode from every POP answer, success or not. */
    private static RemotingCommand header(RemotingCommand resp, long popTime, long invisible, boolean order, long rest) {
        return resp.putExt("popTime", popTime).putExt("invisibleTime", invisible)
            .putExt("reviveQid", order ? PopService.ORDER_REVIVE_QID : PopService.REVIVE_QID).putExt("restNum", rest);
    }

    private static void fail(RequestContext ctx, int code, String remark, long invisible) {
        ctx.reply(header(ctx.response(code, remark), 0, invisible, false, 0));
    }

    /** A receipt (POP_CK / extraInfo): start offset, pop time, invisible time, revive queue, marker, broker, queue, offset. */
    record Receipt(long startOffset, long popTime) {
        static Receipt parse(String extraInfo) {
            String[] f = extraInfo == null ? new String[0] : extraInfo.trim().split(" ");
            if (f.length < 7) {
                throw new IllegalArgumentException("extraInfo '" + extraInfo + "' is not a POP receipt (it needs at least 7 "
                    + "space-separated fields: start offset, pop time, invisible time, revive queue, retry flag, broker, "
                    + "queue)");
            }
            try {
                return new Receipt(Long.parseLong(f[0]), Long.parseLong(f[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("extraInfo '" + extraInfo + "' has no numeric start offset and pop time");
            }
        }
    }

    public void ack(RequestContext ctx, RemotingCommand req) {
        HeaderReader h = new HeaderReader(req);
        PopLedger.CheckpointId id = checkpoint(ctx, h);
        if (id == null) {
            return;
        }
        long offset = h.int64("offset");
        pops.ack(id, offset).whenComplete((acked, failure) -> {
            if (failure != null) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "the acknowledgement was not recorded: " + failure.getMessage());
            } else {
                // as RocketMQ: an acknowledgement of nothing open is not an error
                ctx.reply(ResponseCode.SUCCESS, acked ? null : "nothing invisible under this receipt (already acknowledged "
                    + "or redelivered)");
            }
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
