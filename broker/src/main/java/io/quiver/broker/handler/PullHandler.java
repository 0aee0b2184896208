package io.quiver.broker.handler;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.MetricsEndpoint;
import io.quiver.broker.metrics.Traffic;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionData;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.PullMessageRequestHeader;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageReader;
import java.nio.ByteBuffer;

/**
 * PULL_MESSAGE and LITE_PULL_MESSAGE (fact sheet §6.1). Checks the request in the official order, reads
 * from the store, and answers with the stored records passed to the socket without copying. A pull that
 * finds nothing and may be held is parked in {@link LongPollingService} and answered later.
 */
public final class PullHandler implements RequestHandler {
    /** Most messages one pull returns, whatever the client asks (the official hot-data limit). */
    public static final int MAX_MESSAGES_PER_PULL = 32;
    /** Most bytes one pull returns unless the client asks for less. */
    public static final int MAX_BYTES_PER_PULL = 256 * 1024;

    private final BrokerConfig config;
    private final SubscriptionGroupTable groups;
    private final TopicTable topics;
    private final ConsumerOffsetTable offsets;
    private final MessageReader store;
    private final LongPollingService longPolling;
    private final Traffic traffic;
    private final MetricsEndpoint metrics;
    private final ClientRegistry clients;
    private volatile io.quiver.broker.trace.Tracer tracer = io.quiver.broker.trace.Tracer.NONE;

    public PullHandler(BrokerConfig config, SubscriptionGroupTable groups, TopicTable topics, ConsumerOffsetTable offsets, MessageReader store, LongPollingService longPolling, Traffic traffic, MetricsEndpoint metrics, ClientRegistry clients) {
        this.config = config;
        this.groups = groups;
        this.topics = topics;
        this.offsets = offsets;
        this.store = store;
        this.longPolling = longPolling;
        this.traffic = traffic;
        this.metrics = metrics;
        this.clients = clients;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(req);
        long now = System.currentTimeMillis();
        long hold = config.longPollingEnable ? h.suspendTimeoutMillis() : config.shortPollingTimeMills;
        process(ctx, h, h.maySuspend(), now + Math.max(0, hold), true, System.nanoTime());
    }

    private void process(RequestContext ctx, PullMessageRequestHeader h, boolean mayPark, long deadline, boolean first,
                         long startNanos) {
        if (!PermName.isReadable(config.brokerPermission)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "the broker " + config.brokerName + " is not readable now");
            return;
        }
        SubscriptionGroupConfig group = groups.findOrCreate(h.consumerGroup(),
            config.autoCreateSubscriptionGroup);
        if (group == null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
                groups.missingRemark(h.consumerGroup(), config.autoCreateSubscriptionGroup));
            return;
        }
        if (!group.consumeEnable) {
            ctx.reply(ResponseCode.NO_PERMISSION, "consumer group " + h.consumerGroup() + " may not consume (consumeEnable=false)");
            return;
        }
        TopicConfig topic = topics.get(h.topic());
        if (topic == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "topic " + h.topic() + " does not exist on broker "
                + config.brokerName);
            return;
        }
        if (!PermName.isReadable(topic.perm)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "topic " + h.topic() + " is not readable");
            return;
        }
        if (h.queueId() < 0 || h.queueId() >= topic.readQueueNums) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "queueId " + h.queueId() + " is illegal: topic " + h.topic() + " has "
                + topic.readQueueNums + " read queues on broker " + config.brokerName);
            return;
        }
        SubscriptionData sub = subscription(ctx, h, group);
        if (sub == null) {
            return; // replied
        }
        if (first && h.hasCommitOffset()) {
            long before = offsets.get(h.consumerGroup(), h.topic(), h.queueId());
            if (offsets.commit(h.consumerGroup(), h.topic(), h.queueId(), h.commitOffset())) {
                tracer.committed(h.consumerGroup(), h.topic(), h.queueId(), before, h.commitOffset());
            }
        }
        int maxCount = Math.max(1, Math.min(h.maxMsgNums(), MAX_MESSAGES_PER_PULL));
        int maxBytes = h.maxMsgBytes() != null && h.maxMsgBytes() > 0
            ? Math.min(h.maxMsgBytes(), MAX_BYTES_PER_PULL) : MAX_BYTES_PER_PULL;
        MessageFilter filter;
        if (sub.isSql92()) {
            if (!config.enablePropertyFilter) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "SQL92 filtering is disabled on this broker (enablePropertyFilter=false)");
                return;
            }
            try {
                filter = TagFilter.ofSql(TagFilter.sql(sub.subString));
            } catch (IllegalArgumentException e) {
                ctx.reply(ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage());
                return;
            }
        } else {
            filter = TagFilter.of(sub);
        }
        GetResult r = store.getConfirmed(h.topic(), h.queueId(), h.queueOffset(), maxCount, maxBytes, filter);
        boolean nothingNew = r.status() == GetResult.Status.OFFSET_OVERFLOW_ONE
            || (r.status() == GetResult.Status.NO_MESSAGE_IN_QUEUE && h.queueOffset() == 0);
        if (nothingNew && mayPark && store.maxOffset(h.topic(), h.queueId()) > h.queueOffset()) {
            longPolling.awaitConfirmation(h.topic(), h.queueId()); // stored, not yet held by every in-sync replica
        }
        if (nothingNew && mayPark) {
            LongPollingService.Parked parked = new LongPollingService.Parked() {
                @Override
                public long deadlineMillis() {
                    return deadline;
                }

                @Override
                public void resume(boolean mayParkAgain) {
                    process(ctx, h, mayParkAgain, deadline, false, -1);
                }
            };
            if (longPolling.park(h.topic(), h.queueId(), h.queueOffset(), parked,
                () -> store.confirmedMaxOffset(h.topic(), h.queueId()))) {
                return;
            }
        }
        if (r.status() == GetResult.Status.FOUND) {
            traffic.delivered(h.topic(), h.consumerGroup(), r.records().size(), r.totalBytes());
            tracer.delivered(h.consumerGroup(), address(ctx), h.topic(), h.queueId(), r.records());
        }
        reply(ctx, h, r, suggestedBroker(r, group));
        if (startNanos >= 0) {
            metrics.observePull(startNanos);
        }
    }

    /** Reports what this handler hands out to the trace store. */
    public void traceWith(io.quiver.broker.trace.Tracer t) {
        tracer = t;
    }

    static String address(RequestContext ctx) {
        java.net.InetSocketAddress a = ctx.remoteAddress();
        return a == null ? null : a.getAddress() == null ? a.getHostString() + ":" + a.getPort()
            : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private SubscriptionData subscription(RequestContext ctx, PullMessageRequestHeader h, SubscriptionGroupConfig group) {
        if (h.hasSubscription()) {
            if (SubscriptionData.SQL92.equalsIgnoreCase(h.expressionType())) {
                SubscriptionData s = new SubscriptionData();
                s.topic = h.topic();
                s.subString = h.subscription();
                s.expressionType = SubscriptionData.SQL92;
                s.subVersion = h.subVersion();
                return s;
            }
            return SubscriptionData.ofTags(h.topic(), h.subscription(), h.subVersion());
        }
        ConsumerGroupState state = clients.consumerGroup(h.consumerGroup());
        if (state == null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_NOT_EXIST, "consumer group " + h.consumerGroup()
                + " has not registered with this broker (no heartbeat yet); retry shortly");
            return null;
        }
        if (!group.consumeBroadcastEnable && "BROADCASTING".equals(state.messageModel())) {
            ctx.reply(ResponseCode.NO_PERMISSION, "consumer group " + h.consumerGroup() + " may not consume in broadcasting mode");
            return null;
        }
        SubscriptionData sub = state.subscription(h.topic());
        if (sub == null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_NOT_EXIST, "consumer group " + h.consumerGroup()
                + " has not subscribed to topic " + h.topic());
            return null;
        }
        if (sub.subVersion < h.subVersion()) {
            ctx.reply(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the subscription of group " + h.consumerGroup()
                + " to " + h.topic() + " is not the latest yet; retry shortly");
            return null;
        }
        return sub;
    }

    /** Total physical memory of the machine, for the cold-read rule. */
    private static final long PHYSICAL_MEMORY = physicalMemory();

    private static long physicalMemory() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : Long.MAX_VALUE;
    }

    /**
     * Which member of the broker group the consumer should pull this queue from next ({@code suggestWhichBrokerId},
     * RocketMQ's rule): with {@code slaveReadEnable}, a consumer reading further behind the log's end than
     * {@code accessMessageInMemoryMaxRatio} percent of the machine's memory (data no longer in the page cache) is
     * sent to the group's {@code whichBrokerWhenConsumeSlowly} (a replica), any other to the group's
     * {@code brokerId} (the master); without it, always to the master.
     */
    long suggestedBroker(GetResult r, SubscriptionGroupConfig group) {
        if (!config.slaveReadEnable) {
            return 0;
        }
        if (r.status() == GetResult.Status.FOUND && !r.records().isEmpty()) {
            java.nio.ByteBuffer last = r.records().get(r.records().size() - 1);
            long behind = store.commitLogWritePosition()
                - last.getLong(last.position() + io.quiver.protocol.message.MessageRecord.POS_PHYSICAL_OFFSET);
            if (behind > PHYSICAL_MEMORY / 100 * config.accessMessageInMemoryMaxRatio) {
                return group.whichBrokerWhenConsumeSlowly;
            }
        }
        return group.brokerId;
    }

    private void reply(RequestContext ctx, PullMessageRequestHeader h, GetResult r, long suggest) {
        int code;
        long next = r.nextBeginOffset();
        switch (r.status()) {
            case FOUND -> code = ResponseCode.SUCCESS;
            case NO_MATCHED_MESSAGE, OFFSET_FOUND_NULL -> code = ResponseCode.PULL_RETRY_IMMEDIATELY;
            case NO_MESSAGE_IN_QUEUE -> {
                code = h.queueOffset() == 0 ? ResponseCode.PULL_NOT_FOUND : ResponseCode.PULL_OFFSET_MOVED;
                next = 0;
            }
            case OFFSET_OVERFLOW_ONE -> code = ResponseCode.PULL_NOT_FOUND;
            case OFFSET_OVERFLOW_BADLY, OFFSET_TOO_SMALL -> code = ResponseCode.PULL_OFFSET_MOVED;
            default -> throw new IllegalStateException("unexpected store status " + r.status());
        }
        RemotingCommand resp = ctx.response(code, r.status().name())
            .putExt("suggestWhichBrokerId", suggest)
            .putExt("nextBeginOffset", next)
            .putExt("minOffset", r.minOffset())
            .putExt("maxOffset", r.maxOffset());
        if (code == ResponseCode.SUCCESS) {
            resp.bodyViews(r.records().toArray(new ByteBuffer[0]));
            ctx.reply(resp, r::release); // the records are views of mapped segments until written
            return;
        }
        r.release();
        ctx.reply(resp);
    }
}
