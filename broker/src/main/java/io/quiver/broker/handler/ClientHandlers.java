package io.quiver.broker.handler;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.client.GroupNotifier;
import io.quiver.broker.client.QueueLockTable;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SmallBodies;
import io.quiver.protocol.body.SubscriptionData;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client registration (fact sheet §4) and orderly-consumption locks (§6.8): heartbeats, unregistration,
 * group membership lists, subscription checks, LOCK_BATCH_MQ / UNLOCK_BATCH_MQ, and the
 * NOTIFY_CONSUMER_IDS_CHANGED push to a group when its membership changes.
 */
public final class ClientHandlers {
    private static final Logger log = LoggerFactory.getLogger(ClientHandlers.class);

    private final BrokerConfig config;
    private final SubscriptionGroupTable groups;
    private final TopicTable topics;
    private final Runnable registerSoon;
    private final ClientRegistry clients;
    private final QueueLockTable locks;
    private final GroupNotifier notifier;

    public ClientHandlers(BrokerConfig config, SubscriptionGroupTable groups, TopicTable topics, Runnable registerSoon, ClientRegistry clients, QueueLockTable locks, GroupNotifier notifier) {
        this.config = config;
        this.groups = groups;
        this.topics = topics;
        this.registerSoon = registerSoon;
        this.clients = clients;
        this.locks = locks;
        this.notifier = notifier;
    }

    public void heartbeat(RequestContext ctx, RemotingCommand req) {
        HeartbeatData hb = Json.decode(req.body(), HeartbeatData.class);
        String problem = hb.problem();
        if (problem != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, problem);
            return;
        }
        // Check every subscription expression before registering anything, so a bad one is refused at
        // subscription time with its reason, never discovered at delivery.
        for (HeartbeatData.ConsumerData c : hb.consumerDataSet) {
            for (SubscriptionData sd : c.subscriptionDataSet) {
                Refusal refusal = expressionRefusal(c.groupName, sd);
                if (refusal != null) {
                    ctx.reply(refusal.code(), refusal.remark());
                    return;
                }
            }
        }
        long now = System.currentTimeMillis();
        String refused = null;
        for (HeartbeatData.ConsumerData c : hb.consumerDataSet) {
            boolean auto = config.autoCreateSubscriptionGroup;
            SubscriptionGroupConfig group = groups.findOrCreate(c.groupName, auto);
            if (group == null && auto) {
                refused = groups.missingRemark(c.groupName, true);
                continue; // at the group limit: not registered
            }
            if (group != null && group.retryQueueNums > 0 && topics.get(TopicNames.retryTopic(c.groupName)) == null) {
                if (topics.createIfAbsent(TopicNames.retryTopic(c.groupName), group.retryQueueNums,
                    PermName.READ_WRITE) != null) {
                    registerSoon.run();
                }
            }
            ClientChannel member = new ClientChannel(ctx.channel(), hb.clientID, req.language(), req.version(), now);
            ClientRegistry.Outcome outcome = clients.registerConsumer(c, member, now);
            if (outcome == ClientRegistry.Outcome.CHANGED && (group == null || group.notifyConsumerIdsChangedEnable)) {
                notifier.notifyGroup(c.groupName);
            }
            String why = refusal(outcome, "consumer", c.groupName);
            refused = why != null ? why : refused;
        }
        for (HeartbeatData.ProducerData p : hb.producerDataSet) {
            ClientRegistry.Outcome outcome = clients.registerProducer(p.groupName,
                new ClientChannel(ctx.channel(), hb.clientID, req.language(), req.version(), now), now);
            String why = refusal(outcome, "producer", p.groupName);
            refused = why != null ? why : refused;
        }
        if (refused != null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, refused);
            return;
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    /** A request refused with this response code and remark. */
    private record Refusal(int code, String remark) {}

    /**
     * Why a subscription's expression is refused, or null: SYSTEM_ERROR when SQL92 filtering is off (as
     * official brokers answer), SUBSCRIPTION_PARSE_FAILED naming group and topic for a bad type or expression.
     */
    private Refusal expressionRefusal(String group, SubscriptionData sd) {
        String bad = sd.expressionProblem();
        if (bad == null && sd.isSql92()) {
            if (!config.enablePropertyFilter) {
                return new Refusal(ResponseCode.SYSTEM_ERROR, "SQL92 filtering is disabled on this broker "
                    + "(enablePropertyFilter=false); group " + group + " cannot subscribe with SQL92");
            }
            try {
                TagFilter.sql(sd.subString);
            } catch (IllegalArgumentException e) {
                bad = e.getMessage();
            }
        }
        return bad == null ? null
            : new Refusal(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "group " + group + ", topic " + sd.topic + ": " + bad);
    }

    private String refusal(ClientRegistry.Outcome outcome, String kind, String group) {
        return switch (outcome) {
            case TOO_MANY_GROUPS -> kind + " group " + group + " is not registered: the broker tracks "
                + ClientRegistry.MAX_GROUPS + " " + kind + " groups, its limit";
            case TOO_MANY_CLIENTS -> kind + " group " + group + " is not joined: it already has "
                + clients.maxClientsPerGroup() + " clients, the limit (maxClientsPerGroup)";
            case CONNECTION_CLOSED -> kind + " group " + group + " is not joined: the connection closed";
            default -> null;
        };
    }

    public void unregister(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.UnregisterClient h = RequestHeaders.UnregisterClient.decode(req);
        if (h.producerGroup() != null) {
            clients.unregisterProducer(h.producerGroup(), ctx.channel());
        }
        if (h.consumerGroup() != null && clients.unregisterConsumer(h.consumerGroup(), ctx.channel())) {
            locks.releaseAll(h.clientId());
            notifier.notifyGroup(h.consumerGroup());
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void consumerList(RequestContext ctx, RemotingCommand req) {
        String group = RequestHeaders.ConsumerGroup.decode(req).consumerGroup();
        ConsumerGroupState g = clients.consumerGroup(group);
        if (g == null || g.isEmpty()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "no consumer for this group, " + group);
            return;
        }
        SmallBodies.ConsumerIdList body = new SmallBodies.ConsumerIdList();
        body.consumerIdList.addAll(g.clientIds());
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    public void checkClientConfig(RequestContext ctx, RemotingCommand req) {
        SmallBodies.CheckClientRequest r = Json.decode(req.body(), SmallBodies.CheckClientRequest.class);
        if (r.subscriptionData == null) {
            ctx.reply(ResponseCode.SUCCESS, null); // nothing to check, as official brokers answer
            return;
        }
        String shape = r.subscriptionData.shapeProblem();
        if (shape != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the subscriptionData of group " + r.group + " " + shape);
            return;
        }
        Refusal refusal = expressionRefusal(r.group, r.subscriptionData);
        if (refusal != null) {
            ctx.reply(refusal.code(), refusal.remark());
            return;
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void lockBatch(RequestContext ctx, RemotingCommand req) {
        SmallBodies.LockBatchRequest r = Json.decode(req.body(), SmallBodies.LockBatchRequest.class);
        String problem = r.problem();
        if (problem != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, problem);
            return;
        }
        SmallBodies.LockBatchResponse resp = new SmallBodies.LockBatchResponse();
        Set<io.quiver.protocol.body.MessageQueue> granted = locks.lock(r.consumerGroup, r.clientId, r.mqSet,
            System.currentTimeMillis());
        resp.lockOKMQSet.addAll(granted);
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(resp)));
    }

    public void unlockBatch(RequestContext ctx, RemotingCommand req) {
        SmallBodies.LockBatchRequest r = Json.decode(req.body(), SmallBodies.LockBatchRequest.class);
        String problem = r.problem();
        if (problem != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, problem);
            return;
        }
        locks.unlock(r.consumerGroup, r.clientId, r.mqSet);
        ctx.reply(ResponseCode.SUCCESS, null);
    }
}
