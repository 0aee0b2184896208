package io.quiver.namesrv;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.KvTable;
import io.quiver.protocol.body.RegisterBrokerBody;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.RequestContext;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name server: brokers register here, clients ask it for topic routes (fact sheet §3). Handlers run
 * on the network threads (they only touch {@link RouteTable} under its lock); one scheduler thread
 * expires silent brokers.
 */
public final class NameServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NameServer.class);
    static final String ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

    private final NameServerConfig config;
    private final RouteTable routes = new RouteTable();
    /** Brokers' gRPC endpoints by broker address, as they registered them (Quiver's extension). */
    private final java.util.concurrent.ConcurrentHashMap<String, String> grpcAddrs =
        new java.util.concurrent.ConcurrentHashMap<>();
    /** Most brokers whose gRPC endpoint is kept. */
    static final int MAX_GRPC_ADDRS = 10_000;
    private final KvConfigTable kv;
    private final RemotingServer server;
    /** TLS of the listen port, certificates read again when they change (every {@link #TLS_RELOAD_SECONDS} s). */
    private final io.quiver.remoting.tls.ServerTls listenerTls;
    static final long TLS_RELOAD_SECONDS = 5;
    /** With ACL on, the accounts every request is checked against (read again every 5 s when changed); else null. */
    private final io.quiver.acl.AclFile acl;
    private final ScheduledExecutorService scheduler;
    /** KV requests write a file: they run here, off the network threads; a full queue answers SYSTEM_BUSY. */
    private final java.util.concurrent.ThreadPoolExecutor kvPool;
    static final int KV_QUEUE_CAPACITY = 1_000;

    /**
     * Serves {@code code} with {@code handler} on this name server's listener as well (a controller inside the name
     * server, enableControllerInNamesrv). Before {@link #start}.
     */
    public void register(int code, io.quiver.remoting.RequestHandler handler, java.util.concurrent.Executor executor) {
        server.register(code, handler, executor);
    }

    public NameServer(NameServerConfig config) {
        this.config = config;
        this.kv = new KvConfigTable(config.kvConfigFile());
        this.listenerTls = io.quiver.remoting.tls.ServerTls.start("namesrv", config.tls());
        this.server = new RemotingServer("namesrv", config.bindHost(), config.port(),
            RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES).tls(listenerTls);
        this.acl = config.acl();
        if (acl != null) {
            io.quiver.acl.AccessGuard guard = new io.quiver.acl.AccessGuard(acl::rules);
            server.guard((req, from) -> guard.refusal(req, from.getAddress().getHostAddress()));
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "namesrv-expiry");
            t.setDaemon(true);
            return t;
        });
        this.kvPool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(KV_QUEUE_CAPACITY), r -> {
                Thread t = new Thread(r, "namesrv-kv");
                t.setDaemon(true);
                return t;
            });
        server.register(RequestCode.REGISTER_BROKER, this::registerBroker, null);
        server.register(RequestCode.UNREGISTER_BROKER, this::unregisterBroker, null);
        server.register(RequestCode.QUERY_DATA_VERSION, this::queryDataVersion, null);
        server.register(RequestCode.GET_ROUTEINFO_BY_TOPIC, this::routeInfo, null);
        server.register(RequestCode.GET_BROKER_CLUSTER_INFO,
            (ctx, req) -> ok(ctx, Json.encode(routes.clusterInfo())), null);
        server.register(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
            (ctx, req) -> ok(ctx, Json.encode(routes.allTopics())), null);
        server.register(RequestCode.GET_TOPICS_BY_CLUSTER,
            (ctx, req) -> ok(ctx, Json.encode(routes.topicsOfCluster(RequestHeaders.Cluster.decode(req).cluster()))), null);
        server.register(RequestCode.PUT_KV_CONFIG, this::putKv, kvPool);
        NamesrvConfigHandlers settings = new NamesrvConfigHandlers(config);
        server.register(RequestCode.GET_NAMESRV_CONFIG, settings::get, kvPool);
        server.register(RequestCode.UPDATE_NAMESRV_CONFIG, settings::update, kvPool);
        server.register(RequestCode.GET_KV_CONFIG, this::getKv, null);
        server.register(RequestCode.DELETE_KV_CONFIG, this::deleteKv, kvPool);
        server.register(RequestCode.GET_KVLIST_BY_NAMESPACE, this::kvList, null);
        server.register(RequestCode.WIPE_WRITE_PERM_OF_BROKER, (ctx, req) -> {
            int n = routes.setWritePermission(RequestHeaders.BrokerName.decode(req).brokerName(), false);
            ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("wipeTopicCount", n));
        }, null);
        server.register(RequestCode.ADD_WRITE_PERM_OF_BROKER, (ctx, req) -> {
            int n = routes.setWritePermission(RequestHeaders.BrokerName.decode(req).brokerName(), true);
            ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("addTopicCount", n));
        }, null);
        server.register(RequestCode.DELETE_TOPIC_IN_NAMESRV, (ctx, req) -> {
            RequestHeaders.DeleteTopicInNamesrv h = RequestHeaders.DeleteTopicInNamesrv.decode(req);
            routes.deleteTopic(h.topic(), h.clusterName());
            ctx.reply(ResponseCode.SUCCESS, null);
        }, null);
        server.onConnectionClosed(routes::channelClosed);
    }

    public void start() {
        kv.load();
        if (acl != null) {
            acl.reloadIfChanged();
            scheduler.scheduleWithFixedDelay(acl::reloadIfChanged, TLS_RELOAD_SECONDS, TLS_RELOAD_SECONDS, TimeUnit.SECONDS);
            log.info("name server ACL is on: accounts from {}", acl.path());
        }
        server.start();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                routes.expire(System.currentTimeMillis());
            } catch (RuntimeException e) {
                log.error("broker expiry failed", e);
            }
        }, config.scanIntervalMillis(), config.scanIntervalMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(listenerTls::reloadIfChanged, TLS_RELOAD_SECONDS, TLS_RELOAD_SECONDS,
            TimeUnit.SECONDS);
        log.info("name server listening on {}:{}", config.bindHost(), server.port());
    }

    public int port() {
        return server.port();
    }

    private static void ok(RequestContext ctx, byte[] body) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(body));
    }

    private void registerBroker(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.RegisterBroker h = RequestHeaders.RegisterBroker.decode(req);
        byte[] body = req.body();
        if (h.bodyCrc32() != 0 && body != null) {
            CRC32 crc = new CRC32();
            crc.update(body);
            if ((int) (crc.getValue() & 0x7FFFFFFF) != h.bodyCrc32()) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "crc32 not match");
                return;
            }
        }
        if (h.compressed()) {
            throw new ProtocolException("compressed broker registration is not supported by Quiver; "
                + "set compressedRegister=false on the broker");
        }
        RegisterBrokerBody rb = body == null || body.length == 0 ? new RegisterBrokerBody()
            : Json.decode(body, RegisterBrokerBody.class);
        String problem = rb.problem();
        if (problem != null) {
            // Refused whole: one entry without a name would otherwise poison every later topic listing.
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the registration of broker " + h.brokerName() + " at " + h.brokerAddr()
                + " is refused: " + problem);
            return;
        }
        long timeout = h.heartbeatTimeoutMillis() != null ? h.heartbeatTimeoutMillis() : config.brokerTimeoutMillis();
        DataVersion version = rb.topicConfigSerializeWrapper == null || rb.topicConfigSerializeWrapper.dataVersion == null
            ? new DataVersion() : rb.topicConfigSerializeWrapper.dataVersion;
        RouteTable.Master master = routes.register(h.clusterName(), h.brokerName(), h.brokerAddr(), h.brokerId(),
            h.haServerAddr().isEmpty() ? null : h.haServerAddr(), h.masterEpoch(), version,
            rb.topicConfigSerializeWrapper == null ? null : rb.topicConfigSerializeWrapper.topicConfigTable,
            ctx.channel(), System.currentTimeMillis(), timeout);
        if (master.refusal() != null) {
            log.warn("{}", master.refusal());
            ctx.reply(ResponseCode.SYSTEM_ERROR, master.refusal());
            return;
        }
        if (h.grpcAddr() != null && (grpcAddrs.size() < MAX_GRPC_ADDRS || grpcAddrs.containsKey(h.brokerAddr()))) {
            grpcAddrs.put(h.brokerAddr(), h.grpcAddr());
        }
        RemotingCommand resp = ctx.response(ResponseCode.SUCCESS, null);
        // A replica learns its master from these (fact sheet: RegisterBrokerResponseHeader); null fields are omitted.
        resp.putExt("masterAddr", master.masterAddr()).putExt("haServerAddr", master.haServerAddr());
        Map<String, String> orderConf = kv.namespace(ORDER_TOPIC_CONFIG);
        if (orderConf != null) {
            KvTable t = new KvTable();
            t.table.putAll(orderConf);
            resp.body(Json.encode(t));
        }
        ctx.reply(resp);
    }

    private void unregisterBroker(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.UnregisterBroker h = RequestHeaders.UnregisterBroker.decode(req);
        routes.unregister(h.brokerAddr(), "it unregistered");
        grpcAddrs.remove(h.brokerAddr());
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    private void queryDataVersion(RequestContext ctx, RemotingCommand req) {
        String addr = RequestHeaders.BrokerAddr.decode(req).brokerAddr();
        DataVersion v = Json.decode(req.body(), DataVersion.class);
        boolean changed = routes.queryDataVersion(addr, v, System.currentTimeMillis());
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("changed", changed).body(Json.encode(v)));
    }

    private void routeInfo(RequestContext ctx, RemotingCommand req) {
        String topic = RequestHeaders.Topic.decode(req).topic();
        TopicRouteData route = routes.route(topic);
        if (route == null) {
            ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "No topic route info in name server for the topic: " + topic);
            return;
        }
        String orderConf = kv.get(ORDER_TOPIC_CONFIG, topic);
        if (orderConf != null) {
            route.orderTopicConf = orderConf;
        }
        RemotingCommand resp = ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(route));
        if (req.extFields() != null && req.extFields().containsKey(RequestHeaders.GrpcAddresses.ASK)) {
            Map<String, String> grpc = new java.util.LinkedHashMap<>();
            for (io.quiver.protocol.body.BrokerData b : route.brokerDatas) {
                for (String addr : b.brokerAddrs.values()) {
                    String g = grpcAddrs.get(addr);
                    if (g != null) {
                        grpc.put(addr, g);
                    }
                }
            }
            resp.putExt(RequestHeaders.GrpcAddresses.FIELD, RequestHeaders.GrpcAddresses.encode(grpc));
        }
        ctx.reply(resp);
    }

    private void putKv(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.KvConfig h = RequestHeaders.KvConfig.decode(req);
        if (h.value() == null) {
            throw new ProtocolException("the required header field 'value' of request code 100 is missing");
        }
        String refused = kv.put(h.namespace(), h.key(), h.value());
        if (refused != null) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] " + h.namespace() + "/" + h.key() + " is not stored: " + refused);
            return;
        }
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    private void getKv(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.KvConfig h = RequestHeaders.KvConfig.decode(req);
        String v = kv.get(h.namespace(), h.key());
        if (v == null) {
            ctx.reply(ResponseCode.QUERY_NOT_FOUND, "No config item, Namespace: " + h.namespace() + " Key: " + h.key());
        } else {
            ctx.reply(ctx.response(ResponseCode.SUCCESS, null).putExt("value", v));
        }
    }

    private void deleteKv(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.KvConfig h = RequestHeaders.KvConfig.decode(req);
        kv.delete(h.namespace(), h.key());
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    private void kvList(RequestContext ctx, RemotingCommand req) {
        String ns = RequestHeaders.Namespace.decode(req).namespace();
        Map<String, String> m = kv.namespace(ns);
        if (m == null) {
            ctx.reply(ResponseCode.QUERY_NOT_FOUND, "No config item, Namespace: " + ns);
            return;
        }
        KvTable t = new KvTable();
        t.table.putAll(m);
        ok(ctx, Json.encode(t));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        kvPool.shutdownNow();
        server.close();
    }
}
