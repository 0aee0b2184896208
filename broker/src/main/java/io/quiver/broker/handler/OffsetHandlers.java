package io.quiver.broker.handler;

import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import io.quiver.store.MessageReader;
import io.quiver.store.TimeBoundary;

/**
 * Offset requests (fact sheet §6.5): committed consumer offsets and the store's min/max/time lookups.
 * Each method is the handler of one request code; all are cheap and run on the network threads.
 */
public final class OffsetHandlers {
    private final ConsumerOffsetTable offsets;
    private final SubscriptionGroupTable groups;
    private final TopicTable topics;
    private final MessageReader store;
    private volatile io.quiver.broker.trace.Tracer tracer = io.quiver.broker.trace.Tracer.NONE;

    public OffsetHandlers(ConsumerOffsetTable offsets, SubscriptionGroupTable groups, TopicTable topics,
                          MessageReader store) {
        this.offsets = offsets;
        this.groups = groups;
        this.topics = topics;
        this.store = store;
    }

    private static void offset(RequestContext ctx, long offset) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("offset", offset));
    }

    /** QUERY_CONSUMER_OFFSET: the committed offset, or what the official broker answers for a new group. */
    public void queryConsumerOffset(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.QueryConsumerOffset h = RequestHeaders.QueryConsumerOffset.decode(req);
        long stored = offsets.get(h.consumerGroup(), h.topic(), h.queueId());
        if (stored >= 0) {
            offset(ctx, stored);
            return;
        }
        // A new group on a queue whose first message is still stored starts at 0, as the official broker
        // answers; a queue that has lost its head (retention) gives "not found" so the client's
        // consume-from policy decides.
        long min = store.minOffset(h.topic(), h.queueId());
        if (!Boolean.FALSE.equals(h.setZeroIfNotFound()) && min <= 0) {
            offset(ctx, 0);
            return;
        }
        ctx.reply(ResponseCode.QUERY_NOT_FOUND, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first");
    }

    /** GET_ALL_CONSUMER_OFFSET: the whole offset table ({@code {"offsetTable":{"topic@group":{"0":12}}}}). */
    public void allConsumerOffsets(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(io.quiver.protocol.body.Json.encode(offsets.snapshot())));
    }

    /** UPDATE_CONSUMER_OFFSET (usually oneway). */
    /** Reports offset commits to the trace store. */
    public void traceWith(io.quiver.broker.trace.Tracer t) {
        tracer = t;
    }

    public void updateConsumerOffset(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.UpdateConsumerOffset h = RequestHeaders.UpdateConsumerOffset.decode(req);
        if (h.commitOffset() < 0) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "commitOffset " + h.commitOffset() + " is negative");
            return;
        }
        if (groups.get(h.consumerGroup()) == null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "consumer group " + h.consumerGroup()
                + " does not exist on this broker; its offsets are not stored");
            return;
        }
        io.quiver.protocol.body.TopicConfig topic = topics.get(h.topic());
        if (topic == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "topic " + h.topic() + " does not exist on this broker; "
                + "offsets of group " + h.consumerGroup() + " for it are not stored");
            return;
        }
        if (h.queueId() < 0 || h.queueId() >= Math.max(topic.readQueueNums, topic.writeQueueNums)) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "queueId " + h.queueId() + " is illegal: topic " + h.topic()
                + " has " + Math.max(topic.readQueueNums, topic.writeQueueNums) + " queues");
            return;
        }
        long before = offsets.get(h.consumerGroup(), h.topic(), h.queueId());
        if (!offsets.commit(h.consumerGroup(), h.topic(), h.queueId(), h.commitOffset())) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] offsets of group " + h.consumerGroup() + " on topic "
                + h.topic() + " are not stored: the broker holds offsets for " + offsets.size()
                + " (topic, group) pairs, its limit (maxConsumerOffsetEntries=" + offsets.limit() + ")");
            return;
        }
        tracer.committed(h.consumerGroup(), h.topic(), h.queueId(), before, h.commitOffset());
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void maxOffset(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.TopicQueue h = RequestHeaders.TopicQueue.decode(req);
        offset(ctx, store.confirmedMaxOffset(h.topic(), h.queueId()));
    }

    /** GET_MIN_OFFSET: 0 for a queue that holds nothing yet (Quiver answers 0 where 4.9 answers -1). */
    public void minOffset(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.TopicQueue h = RequestHeaders.TopicQueue.decode(req);
        offset(ctx, Math.max(0, store.minOffset(h.topic(), h.queueId())));
    }

    public void searchOffset(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.SearchOffset h = RequestHeaders.SearchOffset.decode(req);
        // As RocketMQ 5.x brokers do for every client: without a boundary (4.x clients), the first message
        // stored at or after the time.
        TimeBoundary b = h.boundaryType() != null && h.boundaryType().equalsIgnoreCase("upper")
            ? TimeBoundary.UPPER : TimeBoundary.LOWER;
        offset(ctx, store.offsetForTimestamp(h.topic(), h.queueId(), h.timestamp(), b));
    }

    public void earliestStoreTime(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.TopicQueue h = RequestHeaders.TopicQueue.decode(req);
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .putExt("timestamp", store.earliestStoreTimestamp(h.topic(), h.queueId())));
    }
}
