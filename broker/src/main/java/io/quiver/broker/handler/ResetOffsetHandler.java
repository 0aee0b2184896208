package io.quiver.broker.handler;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.MessageQueue;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.MessageReader;
import io.quiver.store.TimeBoundary;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (fact sheet §9.4): rewinds (or forwards) a consumer group on a topic to a
 * point in time. For each queue the target is the first message stored at or after the timestamp (the
 * queue's end for -1). Without {@code isForce} an offset only moves backwards. The broker stores the new
 * offsets itself (so offline groups are reset too) and tells every online member with
 * RESET_CONSUMER_CLIENT_OFFSET, which makes push consumers pause, take the offsets and resume.
 */
public final class ResetOffsetHandler implements RequestHandler {
    private final TopicTable topics;
    private final BrokerConfig config;
    private final SubscriptionGroupTable groups;
    private final ConsumerOffsetTable offsets;
    private final MessageReader store;
    private final ClientRegistry clients;
    private final RemotingServer server;

    public ResetOffsetHandler(TopicTable topics, BrokerConfig config, SubscriptionGroupTable groups, ConsumerOffsetTable offsets, MessageReader store, ClientRegistry clients, RemotingServer server) {
        this.topics = topics;
        this.config = config;
        this.groups = groups;
        this.offsets = offsets;
        this.store = store;
        this.clients = clients;
        this.server = server;
    }

    /** Told of every reset (group, topic, queue id to offset): POP keeps its own positions and must follow. */
    public interface ResetListener {
        void reset(String group, String topic, Map<Integer, Long> offsets);
    }

    private volatile ResetListener listener = (g, t, o) -> { };

    public ResetOffsetHandler onReset(ResetListener l) {
        this.listener = l;
        return this;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.ResetOffset h = RequestHeaders.ResetOffset.decode(req);
        String topic = h.topic();
        String group = h.group();
        long timestamp = h.timestamp();
        boolean force = h.isForce();
        TopicConfig tc = topics.get(topic);
        if (tc == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic + " does not exist on broker " + config.brokerName);
            return;
        }
        if (groups.get(group) == null && offsets.topicsOf(group).isEmpty()) {
            ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "consumer group " + group + " does not exist on broker "
                + config.brokerName);
            return;
        }
        Map<MessageQueue, Long> table = new LinkedHashMap<>();
        Map<Integer, Long> byQueue = new LinkedHashMap<>();
        for (int q = 0; q < tc.writeQueueNums; q++) {
            long target = timestamp < 0 ? store.maxOffset(topic, q)
                : store.offsetForTimestamp(topic, q, timestamp, TimeBoundary.LOWER);
            long current = offsets.get(group, topic, q);
            long next = force || current < 0 || target < current ? target : current;
            offsets.commit(group, topic, q, next);
            table.put(new MessageQueue(topic, config.brokerName, q), next);
            byQueue.put(q, next);
        }
        listener.reset(group, topic, byQueue);
        byte[] body = encode(table);
        ConsumerGroupState state = clients.consumerGroup(group);
        if (state != null) {
            for (ClientChannel c : state.channels()) {
                RemotingCommand notify = RemotingCommand.request(RequestCode.RESET_CONSUMER_CLIENT_OFFSET)
                    .putExt("topic", topic).putExt("group", group).putExt("timestamp", timestamp)
                    .putExt("isForce", force).body(body);
                server.invokeOneway(c.channel(), notify);
            }
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(body));
    }

    /** A ResetOffsetBody: {@code {"offsetTable":{"<MessageQueue JSON>":offset}}} (fact sheet §12.2). */
    static byte[] encode(Map<MessageQueue, Long> table) {
        return io.quiver.protocol.body.QueueKeyedJson.body("offsetTable", table, null);
    }
}
