package io.quiver.broker;

import io.netty.channel.Channel;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.client.GroupNotifier;
import io.quiver.broker.client.QueueLockTable;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.config.DelayLevels;
import io.quiver.broker.delay.DueTimes;
import io.quiver.broker.delay.ScheduleService;
import io.quiver.broker.delay.TimerService;
import io.quiver.broker.handler.BrokerConfigUpdateHandler;
import io.quiver.broker.handler.BrokerInfoHandlers;
import io.quiver.broker.handler.ClientHandlers;
import io.quiver.broker.handler.ConnectionHandlers;
import io.quiver.broker.handler.ConsumerStatusHandler;
import io.quiver.broker.handler.DlqRedriveHandler;
import io.quiver.broker.handler.GroupAdminHandlers;
import io.quiver.broker.handler.LongPollingService;
import io.quiver.broker.handler.MessageLookupHandlers;
import io.quiver.broker.handler.OffsetHandlers;
import io.quiver.broker.handler.PullHandler;
import io.quiver.broker.handler.ResetOffsetHandler;
import io.quiver.broker.handler.SendBackHandler;
import io.quiver.broker.handler.SendHandler;
import io.quiver.broker.handler.StatsHandlers;
import io.quiver.broker.handler.TopicAdminHandlers;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.MetricSources;
import io.quiver.broker.metrics.MetricsEndpoint;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.send.Diversions;
import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.send.SendObserver;
import io.quiver.broker.send.SendRouter;
import io.quiver.broker.send.SendValidator;
import io.quiver.broker.send.TopicResolver;
import io.quiver.broker.transaction.TransactionHandlers;
import io.quiver.broker.transaction.TransactionService;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.remoting.RemotingClient;
import io.quiver.remoting.RemotingServer;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.RetentionConfig;
import io.quiver.store.StoreConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker: wires the store, metadata tables, client registry and request handlers to a remoting
 * server, and runs the periodic duties (name-server registration, client expiry, offset persistence) on
 * one scheduler thread. Sends and offset calls run on the network threads; pulls, heartbeats and admin
 * calls on bounded pools.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    /** Queue bound of each request pool; a full pool answers SYSTEM_BUSY. */
    public static final int POOL_QUEUE_CAPACITY = 10_000;

    private final BrokerConfig config;
    private final MessageStore store;
    private final io.quiver.broker.trace.BrokerTracing tracing;
    private final TopicTable topics;
    private io.quiver.grpc.GrpcEndpoint grpc;
    private SendHandler sendHandler;
    private io.quiver.broker.handler.PopHandlers popHandlers;
    /** The access control of requests and gRPC calls; null without {@code aclEnable}. */
    private volatile io.quiver.acl.AccessGuard accessGuard;
    /** The ACL accounts' file with {@code aclEnable}; null without. */
    private final io.quiver.acl.AclFile aclFile;
    private final SubscriptionGroupTable groups;
    private final ConsumerOffsetTable offsets;
    private final ClientRegistry clients;
    private final QueueLockTable locks;
    private final ExecutorService pullPool;
    private final LongPollingService longPolling;
    private final TopicResolver topicResolver;
    private final RemotingServer server;
    /** TLS of the remoting port (tls.server.*), certificates read again when they change. */
    private final io.quiver.remoting.tls.ServerTls listenerTls;
    /** TLS of this broker's own connections (tls.enable / useTLS), or null for plain text. */
    private final io.netty.handler.ssl.SslContext outgoingTls;
    /** This broker's connections to name servers and its master; TLS with tls.enable. */
    private final RemotingClient namesrvClient;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService metadataWriter;
    private final List<ExecutorService> pools = new ArrayList<>();
    private final NameServerRegistrar registrar;
    private final byte[] storeHostBytes;
    private final GroupNotifier notifier;
    private final TransactionService transactions;
    private final ScheduleService schedule;
    private final TimerService timers;
    private final Traffic traffic;
    private final MetricsEndpoint metrics;
    private final DrainService drain;
    private final io.quiver.broker.pop.PopService pops;
    private final io.quiver.broker.metadata.MessageRequestModeTable requestModes;
    private volatile Runnable onDrained = () -> { };
    /** A master's replication listener (null on a replica). */
    private io.quiver.replication.ShippingServer shipping;
    /** A replica's link to its master (null on a master). */
    private io.quiver.replication.ReplicaLink replicaLink;
    /** A replica's copy of its master's topics, groups and offsets (null on a master). */
    private MetadataFollower metadataFollower;
    /** Whether the services that write to the store (transactions, delay levels, timers) run: masters only. */
    private boolean writersStarted;
    private volatile boolean started;
    /** Controller mode: what the failover agent decided for this run of the broker (null otherwise). */
    private final ControllerRole role;
    /** Controller mode: the in-sync set is below minInSyncReplicas, so sends are refused before they are stored. */
    private volatile boolean inSyncTooSmall;

    /**
     * Controller mode: the role the controllers gave this run of the broker. A master's terms start at
     * {@code masterEpoch} and it acknowledges only while {@code leaseHolds}; a replica follows only a master of at
     * least {@code masterEpoch} (0 while the group has none), whose topics, groups and offsets it copies from
     * {@code masterAddress} (null while there is none).
     */
    public record ControllerRole(long masterEpoch, java.util.function.BooleanSupplier leaseHolds,
                                 java.util.function.Supplier<java.util.Set<Long>> inSync, String masterAddress) {}

    public Broker(BrokerConfig config) {
        this(config, null);
    }

    public Broker(BrokerConfig config, ControllerRole role) {
        this(config, role, null);
    }

    /**
     * With {@code sharedAcl}: the ACL file object this broker uses (with aclEnable), shared with a name server in the
     * same process so that an account an admin request adds is known to both at once; null: its own.
     */
    public Broker(BrokerConfig config, ControllerRole role, io.quiver.acl.AclFile sharedAcl) {
        this.config = config;
        this.role = role;
        try {
            Map<String, String> overrides = BrokerConfigUpdateHandler.load(config.storePathRootDir);
            if (!overrides.isEmpty()) {
                config.apply(overrides);
                log.info("applied settings changed at run time before the last stop: {}", overrides);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the persisted setting overrides: " + e.getMessage(), e);
        }
        StoreConfig sc = new StoreConfig(config.storePathRootDir, config.mappedFileSizeCommitLog,
            Math.max(16, config.mappedFileSizeConsumeQueue / 20), config.maxMessageSize, config.flushDiskType,
            config.syncFlushTimeout, config.flushIntervalCommitLog,
            new RetentionConfig(config.fileReservedTime * 3_600_000L, BrokerConfig.hours(config.deleteWhen),
                config.diskMaxUsedSpaceRatio / 100.0, config.diskSpaceCleanForciblyRatio / 100.0,
                config.diskSpaceWarningLevelRatio / 100.0,
                config.diskMinFreeBytes >= 0 ? config.diskMinFreeBytes : 2L * config.mappedFileSizeCommitLog),
            config.maxHashSlotNum, config.maxIndexNum, config.flushCommitLogLeastPages,
            config.flushCommitLogThoroughInterval);
        String roleProblem = config.roleProblem();
        if (roleProblem != null) {
            throw new IllegalArgumentException(roleProblem);
        }
        this.store = new MessageStore(sc, Clock.SYSTEM);
        this.tracing = io.quiver.broker.trace.BrokerTracing.open(config, store);
        store.replicaMode(config.isReplica());
        store.ackShippedAfterForce(config.haReplicaAckAfterForce);
        // Retry and dead-letter topics are counted apart: at most one of each per consumer group.
        this.topics = new TopicTable(config.storePathRootDir.resolve("config"), config.maxTopicCount,
            2 * config.maxSubscriptionGroupCount);
        this.groups = new SubscriptionGroupTable(config.storePathRootDir.resolve("config"), config.maxSubscriptionGroupCount);
        this.offsets = new ConsumerOffsetTable(config.storePathRootDir.resolve("config"), config.maxConsumerOffsetEntries);
        this.requestModes = new io.quiver.broker.metadata.MessageRequestModeTable(config.storePathRootDir.resolve("config"),
            config.maxSubscriptionGroupCount);
        this.clients = new ClientRegistry(config.maxClientsPerGroup);
        this.locks = new QueueLockTable(config.rebalanceLockMaxLiveTime);
        this.aclFile = !config.aclEnable ? null : sharedAcl != null ? sharedAcl : new io.quiver.acl.AclFile(config.aclFilePath());
        io.quiver.remoting.tls.TlsSettings tls = config.tlsSettings();
        this.listenerTls = io.quiver.remoting.tls.ServerTls.start("broker", tls);
        this.outgoingTls = io.quiver.remoting.tls.ServerTls.clientContext(tls);
        this.namesrvClient = new RemotingClient("broker", outgoingTls);
        if (config.innerAccessKey != null) {
            namesrvClient.signAs(config.innerAccessKey, config.innerSecretKey);
        }
        this.server = new RemotingServer("broker", config.bindAddress, config.listenPort,
            RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES)
            .transport(io.quiver.remoting.Transport.choose(config.useEpollNativeSelector))
            .tls(listenerTls);
        if (config.useEpollNativeSelector && server.transport() != io.quiver.remoting.Transport.EPOLL) {
            log.info("serving with the JDK's NIO: the native epoll transport is not available here ({})",
                io.quiver.remoting.Transport.nativeUnavailableReason());
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("quiver-broker-scheduler"));
        this.pullPool = pool("quiver-pull", Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.longPolling = new LongPollingService(System::currentTimeMillis, pullPool);
        this.registrar = new NameServerRegistrar(config, topics, namesrvClient, scheduler);
        if (role != null && !config.isReplica()) {
            registrar.masterEpoch(role.masterEpoch());
        }
        this.topicResolver = new TopicResolver(topics, groups, config, registrar::registerSoon);
        // Metadata journals are written on their own thread, so a long name-server registration on the
        // scheduler never delays a send waiting for its new topic to be on disk. At most one write per table
        // is queued at a time (Persister), so its queue stays at two tasks.
        this.metadataWriter = Executors.newSingleThreadExecutor(daemon("quiver-metadata"));
        topics.writeOn(metadataWriter);
        groups.writeOn(metadataWriter);
        try {
            this.storeHostBytes = InetAddress.getByName(config.brokerIP1).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("brokerIP1 '" + config.brokerIP1 + "' is not an IP address", e);
        }
        this.notifier = new GroupNotifier(clients, server);
        this.transactions = new TransactionService(config, store, clients, server, storeHostBytes, config.storePathRootDir,
            Clock.SYSTEM);
        transactions.traceWith(tracing.tracer());
        this.timers = new TimerService(config, store, storeHostBytes, config.storePathRootDir, Clock.SYSTEM);
        this.schedule = new ScheduleService(config, store, storeHostBytes, DelayLevels.parse(config.messageDelayLevel),
            Clock.SYSTEM);
        this.traffic = new Traffic(config.metricsMaxTopicSeries, System::currentTimeMillis, java.time.ZoneId.systemDefault());
        this.metrics = new MetricsEndpoint(new MetricSources(traffic, store, offsets, clients, transactions::counters,
            schedule::pending, timers::pending, longPolling::parkedCount, config.metricsMaxLagSeries, this::haRuntimeInfo,
            tracing.log()));
        this.drain = new DrainService(config, System::nanoTime);
        // A replica stores only what its master ships: it delivers no delayed or timer messages itself.
        store.onArrival(config.isReplica() ? (topic, queueId, queueOffset, tagsCode) -> longPolling.notifyArrival(topic, queueId)
            : new ArrivalFanout(longPolling, schedule, timers));
        store.recoverTagsCodesWith(new DueTimes(schedule.levels()));
        store.onConfirmed(longPolling::confirmed); // controller mode: consumers wait for what every in-sync replica holds
        this.pops = new io.quiver.broker.pop.PopService(store, Clock.SYSTEM, storeHostBytes, config.listenPort,
            new io.quiver.broker.pop.PopService.Offsets() {
                @Override
                public long get(String group, String topic, int queueId) {
                    return offsets.get(group, topic, queueId);
                }

                @Override
                public void commit(String group, String topic, int queueId, long offset) {
                    offsets.commit(group, topic, queueId, offset);
                }
            }, group -> {
                io.quiver.protocol.body.SubscriptionGroupConfig g = groups.get(group);
                return g == null ? new io.quiver.protocol.body.SubscriptionGroupConfig().retryMaxTimes : g.retryMaxTimes;
            }, topic -> {
                if (topics.get(topic) == null) {
                    topics.createIfAbsent(topic, 1, io.quiver.protocol.message.PermName.READ_WRITE);
                    registrar.registerSoon();
                }
            }, config.storePathRootDir.resolve("config").resolve("pop-progress.json"));
        registerHandlers();
    }

    /**
     * {@code handler} on a master; on a replica a refusal that names its role (a replica holds only what its
     * master ships; RocketMQ answers END_TRANSACTION on a slave with SLAVE_NOT_AVAILABLE, and a send or change
     * with SERVICE_NOT_AVAILABLE, which the official clients retry elsewhere).
     */
    private io.quiver.remoting.RequestHandler masterOnly(io.quiver.remoting.RequestHandler handler) {
        if (!config.isReplica()) {
            return handler;
        }
        return (ctx, req) -> ctx.reply(req.code() == RequestCode.END_TRANSACTION
                ? io.quiver.protocol.ResponseCode.SLAVE_NOT_AVAILABLE : io.quiver.protocol.ResponseCode.SERVICE_NOT_AVAILABLE,
            "broker " + config.brokerName + " brokerId " + config.brokerId + " is a replica (brokerRole=SLAVE): request "
                + req.code() + " changes data and goes to its master");
    }

    /**
     * Controller mode, a master's sends: refused before anything is stored while its lease from the controllers is
     * out (SERVICE_NOT_AVAILABLE, which the official producers retry on another broker) or while the in-sync set is
     * below minInSyncReplicas (SYSTEM_ERROR, as RocketMQ answers it).
     */
    private io.quiver.remoting.RequestHandler leaseGuard(io.quiver.remoting.RequestHandler handler) {
        if (role == null || config.isReplica()) {
            return handler;
        }
        return (ctx, req) -> {
            io.quiver.broker.send.Refusal no = leaseRefusal();
            if (no != null) {
                ctx.reply(no.code(), no.remark());
            } else {
                handler.handle(ctx, req);
            }
        };
    }

    /** Why a master under the controllers' watch takes no send now (its lease ran out, too few replicas in sync), or null. */
    private io.quiver.broker.send.Refusal leaseRefusal() {
        if (role == null || config.isReplica()) {
            return null;
        }
        if (!role.leaseHolds().getAsBoolean()) {
            return new io.quiver.broker.send.Refusal(io.quiver.protocol.ResponseCode.SERVICE_NOT_AVAILABLE, "broker "
                + config.brokerName + " is not confirmed as master by the controllers (its lease ran out): it takes no "
                + "sends now");
        }
        if (inSyncTooSmall) {
            return new io.quiver.broker.send.Refusal(io.quiver.protocol.ResponseCode.SYSTEM_ERROR, "in-sync replicas not "
                + "enough: broker " + config.brokerName + " has fewer replicas in sync than minInSyncReplicas; nothing "
                + "was stored");
        }
        return null;
    }

    /** A send decoded by the gRPC endpoint, through the same guard and pipeline as SEND_MESSAGE_V2. */
    private java.util.concurrent.CompletableFuture<io.quiver.broker.send.SendOutcome> grpcSend(io.quiver.broker.send.SendRequest r,
                                                                          java.util.concurrent.Executor completeOn) {
        io.quiver.broker.send.Refusal no = leaseRefusal();
        if (no != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(io.quiver.broker.send.SendOutcome.refused(no.code(), no.remark()));
        }
        return sendHandler.send(r, completeOn);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private ExecutorService pool(String name, int threads) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(POOL_QUEUE_CAPACITY), daemon(name));
        pools.add(p);
        return p;
    }

    private void registerHandlers() {
        ExecutorService clientPool = pool("quiver-client", 2);
        ExecutorService adminPool = pool("quiver-admin", 2);
        Runnable registerSoon = registrar::registerSoon;
        MessageAppender appender = store::put;
        Diversions diversions = diversions();

        sendHandler = new SendHandler(new SendValidator(config),
            new SendRouter(config, groups, topicResolver, diversions, storeHostBytes, System::currentTimeMillis),
            appender, sendObserver(), storeHostBytes, config.listenPort);
        io.quiver.remoting.RequestHandler send = leaseGuard(sendHandler);
        server.register(RequestCode.SEND_MESSAGE, send, null);
        server.register(RequestCode.SEND_MESSAGE_V2, send, null);
        server.register(RequestCode.SEND_BATCH_MESSAGE, send, null);
        server.register(RequestCode.CONSUMER_SEND_MSG_BACK, masterOnly(new SendBackHandler(config, groups, topics,
            topicResolver, registerSoon, store, appender, diversions, traffic, storeHostBytes)), null);

        PullHandler pull = new PullHandler(config, groups, topics, offsets, store, longPolling, traffic, metrics, clients);
        server.register(RequestCode.PULL_MESSAGE, pull, pullPool);
        server.register(RequestCode.LITE_PULL_MESSAGE, pull, pullPool);
        pull.traceWith(tracing.tracer());
        OffsetHandlers o = new OffsetHandlers(offsets, groups, topics, store);
        o.traceWith(tracing.tracer());
        server.register(RequestCode.QUIVER_QUERY_TRACE, tracing.handler(), adminPool);
        io.quiver.broker.handler.StoreMaintenanceHandlers maintenance =
            new io.quiver.broker.handler.StoreMaintenanceHandlers(store, clients);
        server.register(RequestCode.DELETE_EXPIRED_COMMITLOG, maintenance::retentionNow, adminPool);
        server.register(RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, maintenance::retentionNow, adminPool);
        server.register(RequestCode.CLEAN_UNUSED_TOPIC, maintenance::cleanUnusedTopic, adminPool);
        server.register(RequestCode.QUERY_CONSUME_QUEUE, maintenance::queryConsumeQueue, adminPool);
        server.register(RequestCode.VIEW_BROKER_STATS_DATA, new io.quiver.broker.handler.StatsDataHandler(traffic.stats())::statsData,
            adminPool);
        server.register(RequestCode.QUERY_CONSUMER_OFFSET, o::queryConsumerOffset, null);
        server.register(RequestCode.UPDATE_CONSUMER_OFFSET, o::updateConsumerOffset, null);
        server.register(RequestCode.GET_ALL_CONSUMER_OFFSET, o::allConsumerOffsets, adminPool);
        server.register(RequestCode.GET_BROKER_HA_STATUS, (ctx, req) -> ctx.reply(ctx.response(
            io.quiver.protocol.ResponseCode.SUCCESS, null).body(io.quiver.protocol.body.Json.encode(haRuntimeInfo()))),
            adminPool);
        server.register(RequestCode.GET_MAX_OFFSET, o::maxOffset, null);
        server.register(RequestCode.GET_MIN_OFFSET, o::minOffset, null);
        server.register(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, o::searchOffset, pullPool);
        server.register(RequestCode.GET_EARLIEST_MSG_STORETIME, o::earliestStoreTime, null);

        ClientHandlers c = new ClientHandlers(config, groups, topics, registerSoon, clients, locks, notifier);
        server.register(RequestCode.HEART_BEAT, c::heartbeat, clientPool);
        server.register(RequestCode.UNREGISTER_CLIENT, c::unregister, clientPool);
        server.register(RequestCode.GET_CONSUMER_LIST_BY_GROUP, c::consumerList, null);
        server.register(RequestCode.CHECK_CLIENT_CONFIG, c::checkClientConfig, clientPool);
        server.register(RequestCode.LOCK_BATCH_MQ, c::lockBatch, clientPool);
        server.register(RequestCode.UNLOCK_BATCH_MQ, c::unlockBatch, clientPool);

        TopicAdminHandlers ta = new TopicAdminHandlers(config, topics, offsets, traffic, registrar::registerSoon);
        server.register(RequestCode.UPDATE_AND_CREATE_TOPIC, masterOnly(ta::createTopic), adminPool);
        server.register(RequestCode.DELETE_TOPIC_IN_BROKER, masterOnly(ta::deleteTopic), adminPool);
        server.register(RequestCode.GET_ALL_TOPIC_CONFIG, ta::allTopicConfig, adminPool);
        server.register(RequestCode.GET_TOPIC_CONFIG, ta::topicConfig, adminPool);
        server.register(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER, ta::systemTopics, adminPool);
        GroupAdminHandlers ga = new GroupAdminHandlers(groups, offsets);
        server.register(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, masterOnly(ga::createGroup), adminPool);
        server.register(RequestCode.DELETE_SUBSCRIPTIONGROUP, masterOnly(ga::deleteGroup), adminPool);
        server.register(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, ga::allGroupConfig, adminPool);
        server.register(RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG, ga::groupConfig, adminPool);
        server.register(RequestCode.QUERY_TOPICS_BY_CONSUMER, (ctx, req) -> ga.topicsOfGroup(ctx, req, config.brokerAddr()),
            adminPool);
        server.register(RequestCode.CLONE_GROUP_OFFSET, masterOnly(ga::cloneOffsets), adminPool);
        BrokerInfoHandlers info = new BrokerInfoHandlers(config, topics, new RuntimeFigures(config, traffic, store,
            clients, drain, schedule, timers, longPolling, server, transactions));
        server.register(RequestCode.GET_BROKER_CONFIG, info::brokerConfig, adminPool);
        server.register(RequestCode.GET_BROKER_RUNTIME_INFO, info::runtimeInfo, adminPool);
        server.register(RequestCode.UPDATE_BROKER_CONFIG, new BrokerConfigUpdateHandler(config, registerSoon), adminPool);
        var aclAdmin = new io.quiver.broker.handler.AclAdminHandlers(aclFile, config);
        // Each broker keeps its own ACL file (not replicated): replicas take changes too, as mqadmin sends them to all.
        server.register(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, aclAdmin::updateAccount, adminPool);
        server.register(RequestCode.DELETE_ACL_CONFIG, aclAdmin::deleteAccount, adminPool);
        server.register(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG, aclAdmin::updateGlobalWhiteAddresses, adminPool);
        server.register(RequestCode.GET_BROKER_CLUSTER_ACL_INFO, aclAdmin::version, adminPool);
        server.register(RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG, aclAdmin::config, adminPool);
        MessageLookupHandlers lookup = new MessageLookupHandlers(store);
        server.register(RequestCode.VIEW_MESSAGE_BY_ID, lookup::viewMessage, pullPool);
        server.register(RequestCode.QUERY_MESSAGE, lookup::queryMessage, pullPool);
        ConnectionHandlers conn = new ConnectionHandlers(clients, offsets);
        server.register(RequestCode.GET_CONSUMER_CONNECTION_LIST, conn::consumerConnections, adminPool);
        server.register(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, conn::topicConsumers, adminPool);
        server.register(RequestCode.QUERY_SUBSCRIPTION_BY_CONSUMER, conn::subscriptionOf, adminPool);
        server.register(RequestCode.GET_PRODUCER_CONNECTION_LIST, conn::producerConnections, adminPool);
        server.register(RequestCode.GET_ALL_PRODUCER_INFO, conn::allProducers, adminPool);
        var relays = new io.quiver.broker.handler.ClientRelayHandlers(clients, server, store, config);
        server.register(RequestCode.GET_CONSUMER_RUNNING_INFO, relays::runningInfo, adminPool);
        server.register(RequestCode.CONSUME_MESSAGE_DIRECTLY, relays::consumeDirectly, adminPool);
        StatsHandlers stats = new StatsHandlers(topics, config, store, offsets);
        server.register(RequestCode.GET_TOPIC_STATS_INFO, stats::topicStats, adminPool);
        server.register(RequestCode.GET_CONSUME_STATS, stats::consumeStats, adminPool);
        server.register(RequestCode.GET_BROKER_CONSUME_STATS, stats::brokerConsumeStats, adminPool);

        TransactionHandlers tx = new TransactionHandlers(transactions, config);
        server.register(RequestCode.END_TRANSACTION, masterOnly(tx::endTransaction), clientPool);
        server.register(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS, tx::listPending, adminPool);
        server.register(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
            masterOnly(new ResetOffsetHandler(topics, config, groups, offsets, store, clients, server)
                .onReset((group, topic, queueOffsets) -> pops.reset(group, topic, queueOffsets))), adminPool);
        server.register(RequestCode.INVOKE_BROKER_TO_GET_CONSUMER_STATUS, new ConsumerStatusHandler(clients, server),
            adminPool);
        server.register(RequestCode.QUIVER_DLQ_REDRIVE, masterOnly(
            new DlqRedriveHandler(config, groups, topics, registerSoon, offsets, store, appender, storeHostBytes)), adminPool);
        server.register(RequestCode.QUIVER_DRAIN, this::drainRequested, adminPool);
        io.quiver.broker.handler.PopHandlers pop = new io.quiver.broker.handler.PopHandlers(config, topics, groups, pops,
            longPolling);
        popHandlers = pop;
        pop.traceWith(tracing.tracer());
        pops.traceWith(tracing.tracer());
        pops.onRedelivered(pop::retryStored);
        server.register(RequestCode.POP_MESSAGE, masterOnly(pop::pop), pullPool);
        // decoded and handed to the POP service on the connection's own loop: nothing here blocks
        server.register(RequestCode.ACK_MESSAGE, masterOnly(pop::ack), null);
        server.register(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, masterOnly(pop::changeInvisibleTime), null);
        server.register(RequestCode.BATCH_ACK_MESSAGE, masterOnly(pop::batchAck), null);
        server.register(RequestCode.PEEK_MESSAGE, masterOnly(pop::peek), pullPool);
        server.register(RequestCode.NOTIFICATION, masterOnly(pop::notification), pullPool);
        server.register(RequestCode.POLLING_INFO, masterOnly(pop::pollingInfo), pullPool);
        io.quiver.broker.assignment.AssignmentHandlers assignment = new io.quiver.broker.assignment.AssignmentHandlers(
            clients, this::route, requestModes);
        server.register(RequestCode.QUERY_ASSIGNMENT, assignment::queryAssignment, adminPool);
        server.register(RequestCode.SET_MESSAGE_REQUEST_MODE, masterOnly(assignment::setMessageRequestMode), adminPool);
        server.register(RequestCode.GET_ALL_MESSAGE_REQUEST_MODE, (ctx, req) -> ctx.reply(
            ctx.response(io.quiver.protocol.ResponseCode.SUCCESS, null).body(requestModes.encoded())), adminPool);
        server.onConnectionClosed(this::connectionClosed);
    }

    private Diversions diversions() {
        return new Diversions() {
            @Override
            public void toHalf(MessageDraft d, Map<String, String> props) {
                transactions.toHalf(d, props);
            }

            @Override
            public void toSchedule(MessageDraft d, Map<String, String> props, int level) {
                schedule.toSchedule(d, props, level);
            }

            @Override
            public void toTimer(MessageDraft d, Map<String, String> props, long at) {
                timers.toTimer(d, props, at);
            }

            @Override
            public boolean timerHasRoom() {
                return timers.hasRoom();
            }

            @Override
            public int maxPendingTimers() {
                return TimerService.MAX_PENDING_TIMERS;
            }
        };
    }

    private SendObserver sendObserver() {
        return new SendObserver() {
            @Override
            public void arrived() {
                drain.sendArrived();
            }

            @Override
            public void stored(String topic, int messages, long bodyBytes, long startNanos) {
                metrics.observeSend(startNanos);
                traffic.stored(topic, messages, bodyBytes);
            }
        };
    }

    /** One request to a name server picked at random; fails when none is configured or it does not answer. */
    private java.util.concurrent.CompletableFuture<io.quiver.protocol.RemotingCommand> askNameServer(
        io.quiver.protocol.RemotingCommand req) {
        List<String> addrs = registrar.addresses();
        if (addrs.isEmpty()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no name server"));
        }
        return namesrvClient.invoke(addrs.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(addrs.size())), req,
            3_000);
    }

    /** A topic's route from the first name server (null when it knows none). */
    private java.util.concurrent.CompletableFuture<io.quiver.protocol.body.TopicRouteData> route(String topic) {
        List<String> addrs = registrar.addresses();
        if (addrs.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        io.quiver.protocol.RemotingCommand req = io.quiver.protocol.RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC)
            .putExt("topic", topic);
        return namesrvClient.invoke(addrs.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(addrs.size())), req,
            3_000).thenApply(resp -> resp.code() == io.quiver.protocol.ResponseCode.SUCCESS && resp.body() != null
                ? io.quiver.protocol.body.Json.decode(resp.body(), io.quiver.protocol.body.TopicRouteData.class) : null);
    }

    /** Loads data, starts listening, and registers with the name servers. */
    public void start() {
        long t0 = System.nanoTime();
        tracing.start();
        store.start();
        topics.load(config.autoCreateTopicEnable, config.defaultTopicQueueNums);
        groups.load();
        offsets.load();
        requestModes.load();
        for (String system : new String[] {io.quiver.protocol.message.TopicNames.TRANS_HALF_TOPIC,
            io.quiver.protocol.message.TopicNames.TRANS_OP_HALF_TOPIC,
            io.quiver.protocol.message.TopicNames.TRANS_CHECK_MAX_TIME_TOPIC}) {
            topics.createIfAbsent(system, 1, io.quiver.protocol.message.PermName.READ_WRITE);
        }
        if (config.traceTopicEnable) {
            topics.createIfAbsent(config.msgTraceTopicName, 1, io.quiver.protocol.message.PermName.READ_WRITE);
        }
        if (!config.isReplica() && role != null) {
            adoptTopicsOfTheLog();
        }
        if (!config.isReplica()) {
            // Before any record of this run: replicas tell this master's terms apart.
            store.beginEpoch(role == null ? 0 : role.masterEpoch());
            transactions.start();
            schedule.start();
            timers.start();
            pops.start();
            writersStarted = true;
        }
        longPolling.start();
        if ("PROM".equals(config.metricsExporterType)) {
            // With TLS enforced on the remoting port, /metrics is HTTPS with the same certificate.
            metrics.start(config.metricsPromExporterHost, config.metricsPromExporterPort,
                listenerTls.mode() == io.quiver.remoting.tls.TlsMode.ENFORCING ? listenerTls.jdkServerContext() : null);
        }
        startAcl();
        server.start();
        startGrpc();
        startReplication();
        started = true;
        scheduler.scheduleAtFixedRate(traffic::sample, Traffic.SAMPLE_PERIOD_MILLIS,
            Traffic.SAMPLE_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::expireClients, 10, 10, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(this::persistTables, METADATA_WRITE_PERIOD_MILLIS, METADATA_WRITE_PERIOD_MILLIS,
            TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::persistOffsets, config.flushConsumerOffsetInterval,
            config.flushConsumerOffsetInterval, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(listenerTls::reloadIfChanged, TLS_RELOAD_SECONDS, TLS_RELOAD_SECONDS,
            TimeUnit.SECONDS);
        registrar.start(); // the first registration completes (or times out) before the broker reports ready
        log.info("broker {} of cluster {} listening on {}:{} ({}, advertised {}), data in {}, {} ({} ms)",
            config.brokerName, config.brokerClusterName, config.bindAddress, server.port(), server.transport(),
            config.brokerAddr(), config.storePathRootDir.toAbsolutePath(), config.flushDiskType,
            (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * With {@code aclEnable}, every request from a network connection is checked against the accounts of the ACL file
     * (read again when it changes, every {@link #ACL_RELOAD_SECONDS} s) before its handler sees it.
     */
    private void startAcl() {
        if (!config.aclEnable) {
            if (config.adminRequestsLoopbackOnly) {
                server.guard((req, from) -> !from.getAddress().isLoopbackAddress() && io.quiver.acl.Needs.of(req).admin()
                    ? "request code " + req.code() + " changes the broker and is served from its own host only "
                        + "(adminRequestsLoopbackOnly=true); run the admin tool there, or turn ACL on and sign as an admin "
                        + "account" : null);
                log.info("admin requests are served from this host only (adminRequestsLoopbackOnly)");
            }
            return;
        }
        io.quiver.acl.AclFile acl = aclFile;
        java.nio.file.Path file = acl.path();
        acl.reloadIfChanged();
        io.quiver.acl.AccessGuard guard = new io.quiver.acl.AccessGuard(acl::rules);
        accessGuard = guard;
        server.guard((req, from) -> guard.refusal(req, from.getAddress().getHostAddress()));
        scheduler.scheduleWithFixedDelay(acl::reloadIfChanged, ACL_RELOAD_SECONDS, ACL_RELOAD_SECONDS, TimeUnit.SECONDS);
        log.info("ACL is on: accounts from {}", file);
    }

    static final long ACL_RELOAD_SECONDS = 5;
    /** How often the TLS certificate files are looked at for a change. */
    static final long TLS_RELOAD_SECONDS = 5;

    /** What a gRPC call may do under the ACL (everything without it). */
    private io.quiver.grpc.BrokerView.Access grpcAccess(String authorization, String dateTime, String remoteIp) {
        io.quiver.acl.AccessGuard guard = accessGuard;
        if (guard == null) {
            return io.quiver.grpc.BrokerView.Access.OPEN;
        }
        io.quiver.acl.AccessGuard.GrpcDecision d = guard.grpcDecision(authorization, dateTime, remoteIp);
        if (d.refusal() != null) {
            return new io.quiver.grpc.BrokerView.Access(d.refusal(), null);
        }
        io.quiver.acl.Account account = d.account();
        return new io.quiver.grpc.BrokerView.Access(null, account == null ? io.quiver.grpc.Grant.ALL
            : (resource, need) -> io.quiver.acl.AccessGuard.refusal(account, resource, switch (need) {
                case PUB -> io.quiver.acl.Perm.PUB;
                case SUB -> io.quiver.acl.Perm.SUB;
                case ANY -> io.quiver.acl.Perm.ANY;
            }));
    }

    /** The gRPC endpoint beside the remoting port, speaking to this broker over in-process connections. */
    private void startGrpc() {
        if (config.grpcServerPort < 0) {
            return;
        }
        io.netty.channel.local.LocalAddress local = server.listenLocally("quiver-broker-" + config.brokerName + "-"
            + System.identityHashCode(this));
        // The endpoint follows tls.server.mode, with its own certificate (tlsCertPath) or else the remoting port's.
        io.quiver.remoting.tls.TlsSettings tls = config.tlsSettings();
        boolean own = !config.tlsCertPath.isEmpty();
        grpc = new io.quiver.grpc.GrpcEndpoint(new io.quiver.grpc.GrpcEndpoint.Config(config.bindAddress,
            config.grpcServerPort, tls.mode() != io.quiver.remoting.tls.TlsMode.DISABLED,
            own ? config.tlsCertPath : tls.certPath(), own ? config.tlsKeyPath : tls.keyPath(),
            tls.mode() == io.quiver.remoting.tls.TlsMode.ENFORCING),
            new io.quiver.broker.grpc.BrokerGrpcView(config, topics, groups, this::grpcSend,
                popHandlers, this::askNameServer,
                this::grpcAccess), local, server.localLoop());
        grpc.start();
        registrar.grpcAddress(config.brokerIP1 + ":" + grpc.port());
    }

    /** The gRPC endpoint's port, or -1 when it has none. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public int port() {
        return server.port();
    }

    /**
     * Controller mode, a new master: a topic whose messages it holds but whose definition it never copied (created
     * on the old master within a second of its loss) is defined again from its queues, so producers and consumers
     * find it in the route.
     */
    private void adoptTopicsOfTheLog() {
        for (String topic : store.topics()) {
            if (topics.get(topic) != null || io.quiver.protocol.message.TopicNames.isSystem(topic)) {
                continue;
            }
            // as many queues as it has here, and at least as many as an auto-created topic gets
            int queues = Math.max(config.defaultTopicQueueNums, store.queueCount(topic));
            try {
                topics.createIfAbsent(topic, queues, io.quiver.protocol.message.PermName.READ_WRITE);
                log.warn("topic {} has messages here but was not defined (its definition never reached this replica); "
                    + "defined with {} queues", topic, queues);
            } catch (RuntimeException e) {
                log.error("cannot define topic {} found in the log: {}", topic, e.getMessage());
            }
        }
    }

    private void startReplication() {
        var identity = new io.quiver.replication.ShippingServer.Identity(config.brokerClusterName, config.brokerName);
        if (config.isReplica()) {
            // In controller mode only the master the controllers named is followed (none while the group has none).
            java.util.function.Supplier<String> master = role != null ? () -> config.haMasterAddress
                : () -> config.haMasterAddress != null ? config.haMasterAddress : registrar.masterHaAddress();
            replicaLink = new io.quiver.replication.ReplicaLink(identity, config.brokerId, store, master, Clock.SYSTEM,
                server.transport(), outgoingTls);
            if (role != null) {
                replicaLink.fenceBelow(role.masterEpoch());
            }
            replicaLink.start();
            // In controller mode the controllers name the master; the name servers may not know it yet.
            java.util.function.Supplier<String> masterAddr = role != null ? role::masterAddress : registrar::masterAddress;
            metadataFollower = new MetadataFollower(masterAddr, namesrvClient, topics, groups, offsets);
            metadataFollower.start();
            log.info("broker {} brokerId {} is a replica; its master's replication address {}", config.brokerName,
                config.brokerId, config.haMasterAddress != null ? "is " + config.haMasterAddress
                    : "comes from the name servers");
        } else {
            shipping = new io.quiver.replication.ShippingServer(identity, store, config.bindAddress, config.haPort(),
                Clock.SYSTEM).tls(listenerTls);
            store.onPublished(shipping::wake);
            shipping.start(server.transport());
            if (role != null) {
                store.replicateWith(shipping.inSyncGate(config.syncFlushTimeout, role.leaseHolds()));
            } else if (config.brokerRole == io.quiver.broker.config.BrokerRole.SYNC_MASTER) {
                store.replicateWith(shipping.syncGate(config.syncFlushTimeout, config.haMaxGapNotInSync));
            }
        }
    }

    /** This broker's replication state, as GET_BROKER_HA_STATUS answers it. Any thread. */
    public io.quiver.protocol.body.HaRuntimeInfo haRuntimeInfo() {
        io.quiver.protocol.body.HaRuntimeInfo h = new io.quiver.protocol.body.HaRuntimeInfo();
        h.master = !config.isReplica();
        if (role != null) {
            h.masterEpoch = role.masterEpoch();
            if (h.master) {
                h.syncStateSet = new java.util.ArrayList<>(new java.util.TreeSet<>(role.inSync().get()));
                h.leaseValid = role.leaseHolds().getAsBoolean();
            }
        }
        if (h.master) {
            h.masterCommitLogMaxOffset = store.commitLogWritePosition();
            for (var r : replicas()) {
                var c = new io.quiver.protocol.body.HaRuntimeInfo.Connection();
                c.addr = r.address();
                c.slaveAckOffset = r.ackedOffset();
                c.diff = r.lagBytes();
                c.inSync = r.inSync();
                c.transferredByteInSecond = r.bytesPerSecond();
                c.transferFromWhere = r.fromOffset();
                h.haConnectionInfo.add(c);
                h.inSyncSlaveNums += r.inSync() ? 1 : 0;
            }
        } else {
            var s = replicaStatus();
            var c = h.haClientRuntimeInfo;
            c.maxOffset = store.commitLogWritePosition();
            if (s != null) {
                c.masterAddr = s.masterAddress();
                c.transferredByteInSecond = s.bytesPerSecond();
                c.lastReadTimestamp = s.lastHeardMillis();
                c.lastWriteTimestamp = s.lastAckSentMillis();
                c.masterFlushOffset = Math.max(s.masterOffset(), c.maxOffset);
                c.behindMillis = s.behindMillis();
            }
        }
        return h;
    }

    /**
     * Controller mode, a master: every acknowledgement from now on waits for {@code replicaIds}; {@code tooSmall}
     * says the in-sync set is below minInSyncReplicas. Completes once applied.
     */
    public java.util.concurrent.CompletableFuture<Void> requireReplicas(java.util.Set<Long> replicaIds, boolean tooSmall) {
        inSyncTooSmall = tooSmall;
        if (shipping == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("not a master"));
        }
        return shipping.requireReplicas(replicaIds, tooSmall);
    }

    /** The end of this broker's commit log. */
    public long commitLogEnd() {
        return store.commitLogWritePosition();
    }

    /** The replicas this master ships to (empty on a replica). */
    public java.util.List<io.quiver.replication.ShippingServer.ReplicaStatus> replicas() {
        return shipping == null ? java.util.List.of() : shipping.replicas();
    }

    /** This replica's link to its master, or null on a master. */
    public io.quiver.replication.ReplicaLink.Status replicaStatus() {
        return replicaLink == null ? null : replicaLink.status();
    }

    private void connectionClosed(Channel ch) {
        List<String> clientIds = new ArrayList<>();
        for (ConsumerGroupState g : clients.consumerGroups()) {
            for (ClientChannel c : g.channels()) {
                if (c.channel() == ch) {
                    clientIds.add(c.clientId());
                }
            }
        }
        List<String> left = clients.channelClosed(ch);
        clientIds.forEach(locks::releaseAll);
        left.forEach(notifier::notifyGroup);
    }

    private void expireClients() {
        try {
            long now = System.currentTimeMillis();
            List<String> left = clients.expire(now, config.channelExpiredTimeout);
            left.forEach(notifier::notifyGroup);
            locks.expire(now);
        } catch (RuntimeException e) {
            log.error("client expiry failed", e);
        }
    }

    /** How often changed topic and group tables are written (their changes only mark them dirty). */
    static final long METADATA_WRITE_PERIOD_MILLIS = 500;

    private void persistTables() {
        try {
            topics.flush();
            groups.flush();
        } catch (RuntimeException e) {
            log.error("persisting topics or groups failed", e);
        }
    }

    private void persistOffsets() {
        try {
            offsets.persist();
        } catch (RuntimeException e) {
            log.error("persisting consumer offsets failed", e);
        }
    }

    /** What to run once a drain asked for over the network has finished (the CLI stops the process). */
    public void onDrained(Runnable action) {
        this.onDrained = action;
    }

    /**
     * Takes the broker out of service without failing sends (see {@link DrainService}); blocks until done.
     * {@link #close()} drains first if nobody did.
     */
    public void drain() {
        if (started) {
            drain.drain(registrar::advertiseReadOnly);
        }
    }

    private void drainRequested(io.quiver.remoting.RequestContext ctx, io.quiver.protocol.RemotingCommand req) {
        if (drain.state() != DrainService.State.SERVING) {
            ctx.reply(io.quiver.protocol.ResponseCode.SUCCESS, "already " + drain.describe());
            return;
        }
        Thread t = new Thread(() -> {
            drain();
            onDrained.run();
        }, "quiver-drain");
        t.setDaemon(true);
        t.start();
        ctx.reply(io.quiver.protocol.ResponseCode.SUCCESS, "draining; the broker stops when producers have moved away "
            + "(at most " + config.drainMaxWaitMillis + " ms)");
    }

    @Override
    public void close() {
        close(true);
    }

    /**
     * Stops the broker; {@code drainFirst} false skips the drain (controller mode: a role change, where producers
     * must move at once and a deposed master may not confirm anything anyway).
     */
    public void close(boolean drainFirst) {
        if (drainFirst) {
            drain();
        }
        log.info("broker {} shutting down", config.brokerName);
        try {
            registrar.unregisterAll();
        } catch (RuntimeException e) {
            log.warn("unregistering from name servers failed: {}", e.toString());
        }
        if (grpc != null) {
            grpc.close();
        }
        server.close();
        if (replicaLink != null) {
            replicaLink.close();
        }
        if (metadataFollower != null) {
            metadataFollower.close();
        }
        if (shipping != null) {
            store.replicateWith(null); // sends still queued in the store no longer wait for a replica
            shipping.close();
        }
        if (writersStarted) {
            transactions.close();
            schedule.close();
            timers.close();
            pops.close();
        }
        longPolling.close();
        metrics.close();
        scheduler.shutdownNow();
        metadataWriter.shutdown();
        pools.forEach(ExecutorService::shutdownNow);
        offsets.persist();
        topics.flush();
        groups.flush();
        store.close();
        tracing.close();
        namesrvClient.close();
        log.info("broker {} stopped", config.brokerName);
    }
}
