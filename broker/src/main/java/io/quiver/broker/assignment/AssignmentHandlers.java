package io.quiver.broker.assignment;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.MessageQueue;
import io.quiver.protocol.body.QueryAssignment;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RequestContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Server-side rebalancing for 5.x consumers that ask for it ({@code setClientRebalance(false)}): QUERY_ASSIGNMENT
 * answers the queues of the asking client, over every broker of the topic (from the name servers' route) and every
 * client of the group this broker knows from heartbeats, with the client's own strategy, read by PULL; or, for a
 * group set to POP (SET_MESSAGE_REQUEST_MODE, mqadmin setConsumeMode), one POP assignment per broker covering all its
 * queues (queue id -1), or with {@code popShareQueueNum} the client's own share and that of the next ones. Retry
 * topics are always read by PULL.
 */
public final class AssignmentHandlers {
    /** A topic's route as the name servers give it (null when they know none). */
    public interface Routes extends Function<String, CompletableFuture<TopicRouteData>> {}

    private final ClientRegistry clients;
    private final Routes routes;
    private final io.quiver.broker.metadata.MessageRequestModeTable modes;

    public AssignmentHandlers(ClientRegistry clients, Routes routes, io.quiver.broker.metadata.MessageRequestModeTable modes) {
        this.clients = clients;
        this.routes = routes;
        this.modes = modes;
    }

    public void queryAssignment(RequestContext ctx, RemotingCommand req) {
        QueryAssignment.Request q = Json.decode(req.body(), QueryAssignment.Request.class);
        if (q.topic == null || q.consumerGroup == null || q.clientId == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "QUERY_ASSIGNMENT needs topic, consumerGroup and clientId in its body");
            return;
        }
        routes.apply(q.topic).whenComplete((route, failure) -> {
            if (failure != null) {
                // no assignment: the client keeps its queues and asks again at its next rebalance
                answer(ctx, null);
                return;
            }
            answer(ctx, assign(q, route));
        });
    }

    /** The client's assignments, or null ("ask again later": no route, no such group or client, unknown strategy). */
    List<QueryAssignment.Assignment> assign(QueryAssignment.Request q, TopicRouteData route) {
        if (route == null) {
            return null;
        }
        List<MessageQueue> all = new ArrayList<>();
        for (TopicRouteData.QueueData d : route.queueDatas) {
            if (PermName.isReadable(d.perm)) {
                for (int i = 0; i < d.readQueueNums; i++) {
                    all.add(new MessageQueue(q.topic, d.brokerName, i));
                }
            }
        }
        all.sort(Comparator.comparing((MessageQueue m) -> m.topic).thenComparing(m -> m.brokerName)
            .thenComparingInt(m -> m.queueId));
        io.quiver.protocol.body.MessageRequestMode mode = q.topic.startsWith(io.quiver.protocol.message.TopicNames.RETRY_PREFIX)
            ? null : modes.get(q.topic, q.consumerGroup);
        boolean pop = mode != null && "POP".equals(mode.mode);
        List<MessageQueue> mine;
        if ("BROADCASTING".equals(q.messageModel)) {
            mine = all;
        } else if (pop) {
            ConsumerGroupState g = clients.consumerGroup(q.consumerGroup);
            if (g == null || !Allocation.known(q.strategyName == null ? "AVG" : q.strategyName)) {
                return null;
            }
            List<String> cids = new ArrayList<>(g.clientIds());
            cids.sort(null);
            mine = popShare(q, all, cids, mode.popShareQueueNum);
        } else {
            ConsumerGroupState g = clients.consumerGroup(q.consumerGroup);
            if (g == null || !Allocation.known(q.strategyName == null ? "AVG" : q.strategyName)) {
                return null;
            }
            List<String> cids = new ArrayList<>(g.clientIds());
            cids.sort(null);
            mine = Allocation.allocate(q.strategyName == null ? "AVG" : q.strategyName, all, cids, q.clientId);
        }
        List<QueryAssignment.Assignment> out = new ArrayList<>();
        java.util.Set<MessageQueue> distinct = new java.util.LinkedHashSet<>(mine);
        for (MessageQueue m : distinct) {
            out.add(new QueryAssignment.Assignment(m, pop ? "POP" : "PULL"));
        }
        return out;
    }

    /**
     * POP: with no share number (0 or less) or one covering the group, every broker's queues as one assignment each
     * (queue id -1); otherwise the client's own queues and those of the next {@code share} clients, or one queue when
     * there are more clients than queues.
     */
    private static List<MessageQueue> popShare(QueryAssignment.Request q, List<MessageQueue> all, List<String> cids,
                                               int share) {
        List<MessageQueue> out = new ArrayList<>();
        int index = cids.indexOf(q.clientId);
        if (share <= 0 || share >= cids.size() - 1) {
            for (MessageQueue m : all) {
                out.add(new MessageQueue(m.topic, m.brokerName, -1));
            }
            return out;
        }
        if (index < 0 || all.isEmpty()) {
            return out;
        }
        if (cids.size() > all.size()) {
            out.add(all.get(index % all.size()));
            return out;
        }
        String strategy = q.strategyName == null ? "AVG" : q.strategyName;
        for (int i = 0; i <= share; i++) {
            out.addAll(Allocation.allocate(strategy, all, cids, cids.get((index + i) % cids.size())));
        }
        return out;
    }

    private static void answer(RequestContext ctx, List<QueryAssignment.Assignment> assignments) {
        QueryAssignment.Response body = new QueryAssignment.Response();
        body.messageQueueAssignments = assignments;
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    /** SET_MESSAGE_REQUEST_MODE (mqadmin setConsumeMode): PULL or POP for a topic and group. */
    public void setMessageRequestMode(RequestContext ctx, RemotingCommand req) {
        io.quiver.protocol.body.MessageRequestMode m = Json.decode(req.body(), io.quiver.protocol.body.MessageRequestMode.class);
        if (m.topic == null || m.consumerGroup == null || m.mode == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "SET_MESSAGE_REQUEST_MODE needs topic, consumerGroup and mode in its body");
            return;
        }
        if (!"PULL".equals(m.mode) && !"POP".equals(m.mode)) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "mode must be PULL or POP, not " + m.mode);
            return;
        }
        if (m.topic.startsWith(io.quiver.protocol.message.TopicNames.RETRY_PREFIX)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "retry topic " + m.topic + " is always read by PULL");
            return;
        }
        if (!modes.put(m)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] this broker keeps at most as many consume modes as consumer "
                + "groups (maxSubscriptionGroupCount)");
            return;
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }
}
