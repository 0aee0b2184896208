package io.quiver.grpc;

import apache.rocketmq.v2.AddressScheme;
import apache.rocketmq.v2.Assignment;
import apache.rocketmq.v2.Broker;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Endpoints;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Permission;
import apache.rocketmq.v2.QueryAssignmentRequest;
import apache.rocketmq.v2.QueryAssignmentResponse;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.Resource;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.util.ArrayList;
import java.util.List;

/**
 * QueryRoute and QueryAssignment. The queues are this broker's, reached at the address the client used to ask
 * (so a client behind NAT or a port mapping comes back the way it came). A topic without a {@code message.type}
 * attribute takes every message type. A FIFO group is assigned every queue; any other group up to
 * {@link #RECEIVE_LANES} lanes that each pop from all queues.
 */
final class RouteService {
    private final BrokerView broker;
    private final Endpoints fallback;

    RouteService(BrokerView broker, Endpoints fallback) {
        this.broker = broker;
        this.fallback = fallback;
    }

    QueryRouteResponse route(QueryRouteRequest req) {
        String name = req.getTopic().getName();
        String problem = TopicNames.validate(name);
        if (problem != null) {
            return QueryRouteResponse.newBuilder().setStatus(Statuses.of(Code.ILLEGAL_TOPIC, problem)).build();
        }
        BrokerView.TopicView t = broker.topic(name);
        if (t == null) {
            return QueryRouteResponse.newBuilder().setStatus(Statuses.of(Code.TOPIC_NOT_FOUND, "topic " + name
                + " does not exist on broker " + broker.brokerName() + " (and autoCreateTopicEnable is off)")).build();
        }
        Broker b = Broker.newBuilder().setName(broker.brokerName()).setId(0).setEndpoints(endpoints(req.getEndpoints()))
            .build();
        List<MessageType> types = acceptedTypes(t.messageType());
        QueryRouteResponse.Builder out = QueryRouteResponse.newBuilder().setStatus(Statuses.OK);
        for (Queue q : queues(t)) {
            out.addMessageQueues(MessageQueue.newBuilder().setTopic(req.getTopic()).setId(q.id).setPermission(q.permission)
                .setBroker(b).addAllAcceptMessageTypes(types));
        }
        return out.build();
    }

    QueryAssignmentResponse assignment(QueryAssignmentRequest req) {
        String name = req.getTopic().getName();
        BrokerView.GroupView policy = broker.group(req.getGroup().getName());
        boolean fifo = policy != null && policy.orderly();
        BrokerView.TopicView t = broker.topic(name);
        if (t == null || !PermName.isReadable(t.perm()) || t.readQueues() == 0) {
            return QueryAssignmentResponse.newBuilder().setStatus(Statuses.of(Code.FORBIDDEN, "no readable queue of topic "
                + name + " on broker " + broker.brokerName())).build();
        }
        Broker b = Broker.newBuilder().setName(broker.brokerName()).setId(0).setEndpoints(endpoints(req.getEndpoints()))
            .build();
        QueryAssignmentResponse.Builder out = QueryAssignmentResponse.newBuilder().setStatus(Statuses.OK);
        Permission perm = PermName.isWriteable(t.perm()) ? Permission.READ_WRITE : Permission.READ;
        if (fifo) {
            for (int i = 0; i < t.readQueues(); i++) {
                out.addAssignments(assign(req.getTopic(), i, perm, b));
            }
        } else {
            // each assignment is a lane: its receives pop from every queue of the broker, and a push consumer keeps
            // one receive in flight per lane
            for (int i = 0; i < Math.min(RECEIVE_LANES, t.readQueues()); i++) {
                out.addAssignments(assign(req.getTopic(), i, perm, b));
            }
        }
        return out.build();
    }

    /** Assignments a push consumer of a non-FIFO group gets from one broker (RocketMQ's proxy gives one). */
    static final int RECEIVE_LANES = 4;

    private static Assignment assign(Resource topic, int queueId, Permission perm, Broker b) {
        return Assignment.newBuilder().setMessageQueue(MessageQueue.newBuilder().setTopic(topic).setId(queueId)
            .setPermission(perm).setBroker(b)).build();
    }

    private Endpoints endpoints(Endpoints asked) {
        return asked.getAddressesCount() > 0 ? asked : fallback;
    }

    record Queue(int id, Permission permission) {}

    /**
     * The queues of a topic as the SDKs expect them: readable-and-writable queues for as many ids as both counts
     * cover, then the rest of the larger side as read-only or write-only, numbered from 0 on.
     */
    static List<Queue> queues(BrokerView.TopicView t) {
        boolean readable = PermName.isReadable(t.perm());
        boolean writable = PermName.isWriteable(t.perm());
        int r = readable ? t.readQueues() : 0;
        int w = writable ? t.writeQueues() : 0;
        int both = Math.min(r, w);
        List<Queue> out = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < both; i++) {
            out.add(new Queue(id++, Permission.READ_WRITE));
        }
        for (int i = both; i < r; i++) {
            out.add(new Queue(id++, Permission.READ));
        }
        for (int i = both; i < w; i++) {
            out.add(new Queue(id++, Permission.WRITE));
        }
        if (out.isEmpty()) {
            out.add(new Queue(0, Permission.NONE));
        }
        return out;
    }

    static List<MessageType> acceptedTypes(String attribute) {
        if (attribute == null || attribute.isBlank() || attribute.equalsIgnoreCase("MIXED")) {
            return List.of(MessageType.NORMAL, MessageType.FIFO, MessageType.DELAY, MessageType.TRANSACTION);
        }
        return switch (attribute.toUpperCase(java.util.Locale.ROOT)) {
            case "NORMAL" -> List.of(MessageType.NORMAL);
            case "FIFO" -> List.of(MessageType.FIFO);
            case "DELAY" -> List.of(MessageType.DELAY);
            case "TRANSACTION" -> List.of(MessageType.TRANSACTION);
            default -> List.of(MessageType.MESSAGE_TYPE_UNSPECIFIED);
        };
    }

    static Endpoints endpointsOf(String host, int port) {
        return Endpoints.newBuilder().setScheme(AddressScheme.IPv4)
            .addAddresses(apache.rocketmq.v2.Address.newBuilder().setHost(host).setPort(port)).build();
    }
}
