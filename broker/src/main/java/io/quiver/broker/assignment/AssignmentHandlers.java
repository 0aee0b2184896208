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
 * client of the group this broker knows from heartbeats, with the client's own strategy. Every queue is read by
 * PULL: SET_MESSAGE_REQUEST_MODE (POP) is refused until POP consumption exists here.
 */
public final class AssignmentHandlers {
    /** A topic's route as the name servers give it (null when they know none). */
    public interface Routes extends Function<String, CompletableFuture<TopicRouteData>> {}

    private final ClientRegistry clients;
    private final Routes routes;

    public AssignmentHandlers(ClientRegistry clients, Routes routes) {
        this.clients = clients;
        this.routes = routes;
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
        List<MessageQueue> mine;
        if ("BROADCASTING".equals(q.messageModel)) {
            mine = all;
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
        for (MessageQueue m : mine) {
            out.add(new QueryAssignment.Assignment(m, "PULL"));
        }
        return out;
    }

    private static void answer(RequestContext ctx, List<QueryAssignment.Assignment> assignments) {
        QueryAssignment.Response body = new QueryAssignment.Response();
        body.messageQueueAssignments = assignments;
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    /** SET_MESSAGE_REQUEST_MODE (mqadmin setConsumeMode). */
    public void setMessageRequestMode(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, "POP consumption is not available in this Quiver version yet; "
            + "consumers keep reading by PULL (with setClientRebalance(false) this broker assigns their queues)");
    }
}
