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
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QueryRoute and QueryAssignment. This broker's queues are reached at the address the client used to ask (so a client
 * behind NAT or a port mapping comes back the way it came); the queues of the cluster's other broker groups at the
 * gRPC endpoints their masters registered with the name servers, so a client given one broker's endpoint uses every
 * broker of the topic, each directly. A topic without a {@code message.type} attribute takes every message type. A
 * FIFO group is assigned every queue; any other group up to {@link #RECEIVE_LANES} lanes per broker that each pop from
 * all its queues.
 */
final class RouteService {
    private static final Logger log = LoggerFactory.getLogger(RouteService.class);
    /** How long the other brokers of a topic are remembered before the name servers are asked again. */
    static final long PEERS_TTL_MILLIS = 5_000;
    /** Most topics whose other brokers are remembered; when full, the memory starts afresh. */
    static final int MAX_CACHED_TOPICS = 1_000;

    private record Cached(List<BrokerView.Peer> peers, long atMillis) {}

    private final BrokerView broker;
    private final Endpoints fallback;
    private final java.time.Clock clock;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> peers = new java.util.concurrent.ConcurrentHashMap<>();

    RouteService(BrokerView broker, Endpoints fallback) {
        this(broker, fallback, java.time.Clock.systemUTC());
    }

    RouteService(BrokerView broker, Endpoints fallback, java.time.Clock clock) {
        this.broker = broker;
        this.fallback = fallback;
        this.clock = clock;
    }

    /** The other brokers of {@code topic}, remembered for {@link #PEERS_TTL_MILLIS}. */
    private CompletableFuture<List<BrokerView.Peer>> peers(String topic) {
        long now = clock.millis();
        Cached c = peers.get(topic);
        if (c != null && now - c.atMillis() < PEERS_TTL_MILLIS) {
            return CompletableFuture.completedFuture(c.peers());
        }
        return broker.peers(topic).handle((list, e) -> {
            if (e != null) {
                log.debug("the other brokers of topic {} are unknown: {}", topic, e.toString());
                return c != null ? c.peers() : List.<BrokerView.Peer>of();
            }
            if (peers.size() >= MAX_CACHED_TOPICS && !peers.containsKey(topic)) {
                peers.clear();
            }
            peers.put(topic, new Cached(list, now));
            return list;
        });
    }

    CompletableFuture<QueryRouteResponse> route(QueryRouteRequest req) {
        String name = req.getTopic().getName();
        String problem = TopicNames.validate(name);
        if (problem != null) {
            return CompletableFuture.completedFuture(QueryRouteResponse.newBuilder()
                .setStatus(Statuses.of(Code.ILLEGAL_TOPIC, problem)).build());
        }
        BrokerView.TopicView t = broker.topic(name);
        return peers(name).thenApply(others -> {
            if (t == null && others.isEmpty()) {
                return QueryRouteResponse.newBuilder().setStatus(Statuses.of(Code.TOPIC_NOT_FOUND, "topic " + name
                    + " does not exist on broker " + broker.brokerName() + " nor on any other broker the name servers "
                    + "know (and autoCreateTopicEnable is off)")).build();
            }
            List<MessageType> types = acceptedTypes(t == null ? null : t.messageType());
            QueryRouteResponse.Builder out = QueryRouteResponse.newBuilder().setStatus(Statuses.OK);
            if (t != null) {
                addQueues(out, req.getTopic(), queues(t), self(req.getEndpoints()), types);
            }
            for (BrokerView.Peer p : others) {
                addQueues(out, req.getTopic(), queues(new BrokerView.TopicView(name, p.readQueues(), p.writeQueues(),
                    p.perm(), null)), peer(p), types);
            }
            return out.build();
        });
    }

    private static void addQueues(QueryRouteResponse.Builder out, Resource topic, List<Queue> queues, Broker b,
                                  List<MessageType> types) {
        for (Queue q : queues) {
            out.addMessageQueues(MessageQueue.newBuilder().setTopic(topic).setId(q.id).setPermission(q.permission)
                .setBroker(b).addAllAcceptMessageTypes(types));
        }
    }

    CompletableFuture<QueryAssignmentResponse> assignment(QueryAssignmentRequest req) {
        String name = req.getTopic().getName();
        BrokerView.GroupView policy = broker.group(req.getGroup().getName());
        boolean fifo = policy != null && policy.orderly();
        BrokerView.TopicView t = broker.topic(name);
        return peers(name).thenApply(others -> {
            QueryAssignmentResponse.Builder out = QueryAssignmentResponse.newBuilder().setStatus(Statuses.OK);
            if (t != null) {
                assign(out, req.getTopic(), t, self(req.getEndpoints()), fifo);
            }
            for (BrokerView.Peer p : others) {
                assign(out, req.getTopic(), new BrokerView.TopicView(name, p.readQueues(), p.writeQueues(), p.perm(), null),
                    peer(p), fifo);
            }
            if (out.getAssignmentsCount() == 0) {
                return QueryAssignmentResponse.newBuilder().setStatus(Statuses.of(Code.FORBIDDEN, "no readable queue of "
                    + "topic " + name + " on broker " + broker.brokerName() + " or any other broker the name servers "
                    + "know")).build();
            }
            return out.build();
        });
    }

    /** A broker's assignments: every queue for a FIFO group, else up to {@link #RECEIVE_LANES} lanes. */
    private static void assign(QueryAssignmentResponse.Builder out, Resource topic, BrokerView.TopicView t, Broker b,
                               boolean fifo) {
        if (!PermName.isReadable(t.perm()) || t.readQueues() == 0) {
            return;
        }
        Permission perm = PermName.isWriteable(t.perm()) ? Permission.READ_WRITE : Permission.READ;
        // each non-FIFO assignment is a lane: its receives pop from every queue of the broker, and a push consumer
        // keeps one receive in flight per lane
        int n = fifo ? t.readQueues() : Math.min(RECEIVE_LANES, t.readQueues());
        for (int i = 0; i < n; i++) {
            out.addAssignments(assign(topic, i, perm, b));
        }
    }

    private Broker self(Endpoints asked) {
        return Broker.newBuilder().setName(broker.brokerName()).setId(0).setEndpoints(endpoints(asked)).build();
    }

    private static Broker peer(BrokerView.Peer p) {
        return Broker.newBuilder().setName(p.brokerName()).setId(0).setEndpoints(endpointsOf(p.host(), p.port())).build();
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
        AddressScheme scheme = host.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? AddressScheme.IPv4
            : host.contains(":") ? AddressScheme.IPv6 : AddressScheme.DOMAIN_NAME;
        return Endpoints.newBuilder().setScheme(scheme)
            .addAddresses(apache.rocketmq.v2.Address.newBuilder().setHost(host).setPort(port)).build();
    }
}
