package io.quiver.controller;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.ControllerGroupView;
import io.quiver.protocol.body.ControllerMetadata;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.ControllerHeaders;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.RequestContext;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A controller's listener for brokers and tools ({@code listenPort}): heartbeats feed the liveness view,
 * registrations and in-sync changes become proposals, queries read the state this controller has applied.
 * Handlers only decode, hand over and answer; deciding happens in {@link ControllerNode}.
 */
public final class ControllerServer implements AutoCloseable {
    /** Requests waiting for the controller's request thread, at most. */
    static final int MAX_QUEUED_REQUESTS = 10_000;
    /** A group's replica is known by both its addresses, kept together as the controller's opaque address. */
    static final String ADDRESS_SEPARATOR = "|";

    /** Where the handlers go: a listener of the controller's own, or a name server's (enableControllerInNamesrv). */
    @FunctionalInterface
    public interface Handlers {
        void register(int code, io.quiver.remoting.RequestHandler handler, java.util.concurrent.Executor executor);
    }

    private final ControllerNode node;
    /** The controller's own listener; null when it serves on a name server's. */
    private final RemotingServer server;
    private final ExecutorService requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(MAX_QUEUED_REQUESTS), r -> {
            Thread t = new Thread(r, "quiver-controller-requests");
            t.setDaemon(true);
            return t;
        });

    /** A controller with a listener of its own on {@code listenPort}, without TLS. */
    public ControllerServer(ControllerNode node) {
        this(node, (io.quiver.remoting.tls.ServerTls) null);
    }

    /** A controller with a listener of its own on {@code listenPort}, serving TLS as {@code tls} says (null: none). */
    public ControllerServer(ControllerNode node, io.quiver.remoting.tls.ServerTls tls) {
        this(node, new RemotingServer("controller", node.config().bindAddress(), node.config().listenPort(),
            RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES).tls(tls));
    }

    private ControllerServer(ControllerNode node, RemotingServer own) {
        this.node = node;
        this.server = own;
        install(own::register);
    }

    /** A controller served by another listener (a name server's): its handlers are registered there. */
    public ControllerServer(ControllerNode node, Handlers on) {
        this.node = node;
        this.server = null;
        install(on);
    }

    private void install(Handlers on) {
        on.register(RequestCode.BROKER_HEARTBEAT, this::heartbeat, null);
        on.register(RequestCode.CONTROLLER_REGISTER_BROKER, this::register, requests);
        on.register(RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET, this::alterSyncStateSet, requests);
        on.register(RequestCode.CONTROLLER_GET_REPLICA_INFO, this::replicaInfo, requests);
        on.register(RequestCode.CONTROLLER_ELECT_MASTER, this::electMaster, requests);
        on.register(RequestCode.CONTROLLER_GET_METADATA_INFO, this::metadata, requests);
    }

    public ControllerServer start() {
        if (server != null) {
            server.start();
        }
        return this;
    }

    /** The port of the controller's own listener (-1 when it serves on a name server's). */
    public int port() {
        return server == null ? -1 : server.port();
    }

    private void heartbeat(RequestContext ctx, RemotingCommand req) {
        ControllerHeaders.Heartbeat h = ControllerHeaders.Heartbeat.decode(req);
        node.heartbeat(h.clusterName(), h.brokerName(), h.brokerId(), h.maxOffset());
        answerGroup(ctx, h.clusterName(), h.brokerName());
    }

    /** Answers the group as this controller knows it, or that it knows no such group. */
    private void answerGroup(RequestContext ctx, String cluster, String brokerName) {
        Optional<GroupState> g = node.group(cluster, brokerName);
        if (g.isEmpty()) {
            ctx.reply(ResponseCode.CONTROLLER_INVALID_REQUEST, "broker group " + brokerName + " of cluster " + cluster
                + " is unknown: no broker of it has registered with the controllers");
            return;
        }
        answer(ctx, view(g.get(), -1));
    }

    private void register(RequestContext ctx, RemotingCommand req) {
        ControllerHeaders.Register r = ControllerHeaders.Register.decode(req);
        if (r.brokerAddress().contains(ADDRESS_SEPARATOR) || r.haAddress().contains(ADDRESS_SEPARATOR)) {
            ctx.reply(ResponseCode.CONTROLLER_INVALID_REQUEST, "a broker address cannot contain '" + ADDRESS_SEPARATOR + "'");
            return;
        }
        decide(ctx, new ControllerCommand.Register(r.clusterName(), r.brokerName(),
            r.brokerAddress() + ADDRESS_SEPARATOR + r.haAddress(), r.brokerId()), ResponseCode.CONTROLLER_INVALID_REQUEST);
    }

    private void alterSyncStateSet(RequestContext ctx, RemotingCommand req) {
        ControllerHeaders.AlterSyncStateSet a = ControllerHeaders.AlterSyncStateSet.decode(req);
        ControllerGroupView body = Json.decode(req.body(), ControllerGroupView.class);
        Set<Long> set = new HashSet<>(body.syncStateSet);
        if (set.size() > ControllerState.MAX_REPLICAS) {
            ctx.reply(ResponseCode.CONTROLLER_INVALID_REQUEST, "an in-sync set has at most " + ControllerState.MAX_REPLICAS
                + " members");
            return;
        }
        decide(ctx, new ControllerCommand.AlterInSync(a.clusterName(), a.brokerName(), a.masterBrokerId(),
            a.masterEpoch(), set), ResponseCode.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED);
    }

    /** An operator's election: with a brokerId, only that replica may win (if it is eligible and alive). */
    private void electMaster(RequestContext ctx, RemotingCommand req) {
        ControllerHeaders.Group g = ControllerHeaders.Group.decode(req);
        Map<Long, Long> alive = new java.util.HashMap<>(node.alive(g.clusterName(), g.brokerName()));
        if (g.brokerId() >= 0) {
            alive.keySet().retainAll(Set.of(g.brokerId()));
        }
        decide(ctx, new ControllerCommand.Elect(g.clusterName(), g.brokerName(), alive,
            node.config().electUncleanMaster()), ResponseCode.CONTROLLER_ELECT_MASTER_FAILED);
    }

    private void replicaInfo(RequestContext ctx, RemotingCommand req) {
        ControllerHeaders.Group g = ControllerHeaders.Group.decode(req);
        answerGroup(ctx, g.clusterName(), g.brokerName());
    }

    /** mqadmin getControllerMetaData reads the header fields; {@code quiver controller status} the body. */
    private void metadata(RequestContext ctx, RemotingCommand req) {
        ControllerConfig c = node.config();
        ControllerMetadata m = new ControllerMetadata();
        m.selfId = c.selfId();
        m.leaderId = node.leaderId();
        m.leader = node.isLeader();
        m.elections = node.elections();
        m.inSyncChanges = node.inSyncChanges();
        m.peers = String.join(";", c.peers().entrySet().stream().map(e -> e.getKey() + "-" + e.getValue()).toList());
        for (GroupState g : node.groups()) {
            m.groups.add(view(g, -1));
        }
        m.groups.sort(java.util.Comparator.comparing((ControllerGroupView v) -> v.clusterName)
            .thenComparing(v -> v.brokerName));
        RemotingCommand resp = ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(m));
        resp.putExt("group", ControllerNode.GROUP_ID.getUuid().toString()).putExt("controllerLeaderId", m.leaderId)
            .putExt("controllerLeaderAddress", m.leaderId == null ? null : c.peers().get(m.leaderId))
            .putExt("isLeader", m.leader).putExt("peers", m.peers);
        ctx.reply(resp);
    }

    private void decide(RequestContext ctx, ControllerCommand command, int refusedCode) {
        node.propose(command).whenComplete((r, failure) -> {
            if (failure != null) {
                ctx.reply(ResponseCode.CONTROLLER_NOT_LEADER, failure.getMessage());
            } else if (!r.accepted()) {
                ctx.reply(refusedCode, r.refusal());
            } else {
                answer(ctx, view(r.group(), r.assignedId()));
            }
        });
    }

    private void answer(RequestContext ctx, ControllerGroupView v) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(v)));
    }

    private ControllerGroupView view(GroupState g, long assignedId) {
        ControllerGroupView v = new ControllerGroupView();
        v.clusterName = g.cluster();
        v.brokerName = g.brokerName();
        v.masterBrokerId = g.masterId();
        v.masterEpoch = g.masterEpoch();
        v.syncStateSet = List.copyOf(g.inSync());
        v.syncStateSetEpoch = g.inSyncEpoch();
        for (Map.Entry<Long, String> e : g.replicas().entrySet()) {
            String a = e.getValue();
            int sep = a.indexOf(ADDRESS_SEPARATOR);
            v.replicas.put(e.getKey(), sep < 0 ? a : a.substring(0, sep));
            v.haAddresses.put(e.getKey(), sep < 0 ? "" : a.substring(sep + 1));
        }
        if (g.hasMaster()) {
            v.masterAddress = v.replicas.get(g.masterId());
            v.masterHaAddress = v.haAddresses.get(g.masterId());
        }
        v.assignedBrokerId = assignedId;
        v.leader = node.isLeader();
        v.heartbeatTimeoutMillis = node.config().heartbeatTimeoutMillis();
        v.controllerId = node.config().selfId();
        return v;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        requests.shutdownNow();
    }
}
