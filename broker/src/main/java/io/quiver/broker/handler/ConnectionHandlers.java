package io.quiver.broker.handler;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SmallBodies;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import java.util.Collection;

/**
 * Who is connected (fact sheet §9.4): QUERY_TOPIC_CONSUME_BY_WHO, GET_CONSUMER_CONNECTION_LIST,
 * GET_PRODUCER_CONNECTION_LIST and GET_ALL_PRODUCER_INFO. Read-only; admin pool.
 */
public final class ConnectionHandlers {
    private final ClientRegistry clients;
    private final ConsumerOffsetTable offsets;

    public ConnectionHandlers(ClientRegistry clients, ConsumerOffsetTable offsets) {
        this.clients = clients;
        this.offsets = offsets;
    }

    /** One GroupList body: {@code {"groupList":[...]}}. */
    public static final class GroupList {
        public java.util.Set<String> groupList = new java.util.TreeSet<>();
    }

    /** QUERY_TOPIC_CONSUME_BY_WHO: online groups subscribed to the topic, and groups with offsets on it. */
    public void topicConsumers(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        GroupList body = new GroupList();
        for (ConsumerGroupState g : clients.consumerGroups()) {
            if (!g.isEmpty() && g.subscription(topic) != null) {
                body.groupList.add(g.group());
            }
        }
        offsets.forEachOffset((group, t, queue, offset) -> {
            if (t.equals(topic)) {
                body.groupList.add(group);
            }
        });
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    /**
     * QUERY_SUBSCRIPTION_BY_CONSUMER (RocketMQ 5's admin API): the online group's subscription of the topic, left out
     * when it has none. Always SUCCESS, as RocketMQ answers.
     */
    public void subscriptionOf(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.SubscriptionOf h = RequestHeaders.SubscriptionOf.decode(req);
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("group", h.group());
        body.put("topic", h.topic());
        ConsumerGroupState g = clients.consumerGroup(h.group());
        Object sub = g == null || h.topic() == null ? null : g.subscription(h.topic());
        if (sub != null) {
            body.put("subscriptionData", sub);
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    public void consumerConnections(RequestContext ctx, RemotingCommand req) {
        String group = RequestHeaders.ConsumerGroup.decode(req).consumerGroup();
        ConsumerGroupState g = clients.consumerGroup(group);
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
        String group = RequestHeaders.ProducerGroup.decode(req).producerGroup();
        Collection<ClientChannel> members = clients.producers(group);
        if (members.isEmpty()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the producer group[" + group + "] not exist");
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(connections(members))));
    }

    /** One producer of GET_ALL_PRODUCER_INFO (RocketMQ's ProducerInfo). */
    public static final class ProducerInfo {
        public String clientId;
        public String remoteIP;
        public String language;
        public int version;
        public long lastUpdateTimestamp;
    }

    /** GET_ALL_PRODUCER_INFO's body (RocketMQ's ProducerTableInfo): every online producer by group. */
    public static final class ProducerTable {
        public java.util.Map<String, java.util.List<ProducerInfo>> data = new java.util.TreeMap<>();
    }

    /** GET_ALL_PRODUCER_INFO (mqadmin producer): every online producer of every group; an empty table when none. */
    public void allProducers(RequestContext ctx, RemotingCommand req) {
        ProducerTable body = new ProducerTable();
        for (String group : clients.producerGroups()) {
            java.util.List<ProducerInfo> list = new java.util.ArrayList<>();
            for (ClientChannel c : clients.producers(group)) {
                ProducerInfo i = new ProducerInfo();
                i.clientId = c.clientId();
                i.remoteIP = "/" + c.remoteAddress();
                i.language = c.language().name();
                i.version = c.version();
                i.lastUpdateTimestamp = c.lastUpdateMillis();
                list.add(i);
            }
            if (!list.isEmpty()) {
                list.sort(java.util.Comparator.comparing(i -> i.clientId));
                body.data.put(group, list);
            }
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
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
}
