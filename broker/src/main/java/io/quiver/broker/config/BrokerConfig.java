package io.quiver.broker.config;

import io.quiver.store.FlushMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every broker setting, defined once: its key (RocketMQ's name where RocketMQ has one), default, meaning,
 * and how it is parsed. {@link #apply} reads RocketMQ-style {@code key=value} settings and reports keys
 * it does not know. Mutable only while the broker is being configured; read-only once started.
 */
public final class BrokerConfig {
    /** One setting's definition. */
    public record Setting(String key, String defaultValue, String meaning, BiConsumer<BrokerConfig, String> parse,
                          Function<BrokerConfig, Object> read) {}

    private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

    /** Settings that take effect at once when changed on a running broker (UPDATE_BROKER_CONFIG). */
    public static final java.util.Set<String> LIVE = java.util.Set.of("brokerPermission", "autoCreateSubscriptionGroup",
        "longPollingEnable", "shortPollingTimeMills", "transactionCheckInterval", "transactionTimeOut",
        "transactionCheckMax", "rejectTransactionMessage", "enablePropertyFilter", "timerWheelEnable", "timerMaxDelaySec",
        "channelExpiredTimeout", "drainMaxWaitMillis", "drainQuietMillis");

    /** Keys Apache RocketMQ has that Quiver accepts but does not act on yet; reported as such. */
    private static final List<String> ACCEPTED_NOT_YET_USED = List.of();

    static {
        def("brokerClusterName", "DefaultCluster", "cluster this broker belongs to", (c, v) -> c.brokerClusterName = v, c -> c.brokerClusterName);
        def("brokerName", "broker-a", "name of this broker group", (c, v) -> c.brokerName = v, c -> c.brokerName);
        def("brokerId", "0", "0 for a master, 1 or more for a replica (brokerRole=SLAVE)",
            (c, v) -> c.brokerId = parseNonNegativeLong(v), c -> c.brokerId);
        def("brokerRole", "ASYNC_MASTER", "ASYNC_MASTER (acknowledge once stored here), SYNC_MASTER (acknowledge once a "
            + "replica has it too) or SLAVE (a replica of the master of the same brokerName)",
            (c, v) -> c.brokerRole = BrokerRole.valueOf(parseChoice(v, "ASYNC_MASTER", "SYNC_MASTER", "SLAVE")),
            c -> c.brokerRole);
        def("haListenPort", "(listenPort + 1)", "port a master ships its commit log to replicas on",
            (c, v) -> c.haListenPort = parsePort(v), c -> c.haPort());
        def("haMasterAddress", "(from the name servers)", "a replica's master replication address host:port; "
            + "unset, the replica learns it from its registration", (c, v) -> c.haMasterAddress = v.isBlank() ? null : v,
            c -> c.haMasterAddress == null ? "" : c.haMasterAddress);
        def("brokerIP2", "(brokerIP1)", "address a master advertises for replication",
            (c, v) -> c.brokerIP2 = v.isBlank() ? null : v, c -> c.brokerIP2 == null ? c.brokerIP1 : c.brokerIP2);
        def("accessMessageInMemoryMaxRatio", "40", "with slaveReadEnable: a consumer further behind the commit log's "
            + "end than this percent of the machine's memory is sent to read from a replica",
            (c, v) -> c.accessMessageInMemoryMaxRatio = parsePercent(v), c -> c.accessMessageInMemoryMaxRatio);
        def("haMaxGapNotInSync", "268435456", "a replica further behind than this many bytes is not in sync: a "
            + "SYNC_MASTER then answers SLAVE_NOT_AVAILABLE instead of waiting for it",
            (c, v) -> c.haMaxGapNotInSync = parseNonNegativeLong(v), c -> c.haMaxGapNotInSync);
        def("haReplicaAckAfterForce", "false", "a SLAVE with flushDiskType=SYNC_FLUSH acknowledges shipped records "
            + "only once forced to its disk, not once written (RocketMQ's rule, the default, with the force within a "
            + "second): SYNC_MASTER sends then also survive losing the master's disk while the replica's machine "
            + "crashes, at the cost of a replica force in every send's latency",
            (c, v) -> c.haReplicaAckAfterForce = parseBool(v), c -> c.haReplicaAckAfterForce);
        def("enableControllerMode", "false", "automatic failover: the controllers at controllerAddr assign this broker's "
            + "brokerId and role (brokerId is then only a preference, brokerRole is ignored) and elect a new master when "
            + "the master is lost", (c, v) -> c.enableControllerMode = parseBool(v), c -> c.enableControllerMode);
        def("controllerAddr", "", "controller mode: the controllers' listen addresses host:port;host:port;host:port",
            (c, v) -> c.controllerAddr = v.trim(), c -> c.controllerAddr);
        def("brokerHeartbeatInterval", "500", "controller mode: milliseconds between heartbeats to every controller (each "
            + "answered heartbeat of the lead controller extends a master's lease by two thirds of the controllers' "
            + "controllerHeartBeatTimeoutMills)", (c, v) -> c.brokerHeartbeatInterval = parsePositive(v),
            c -> c.brokerHeartbeatInterval);
        def("minInSyncReplicas", "0", "controller mode: a send is acknowledged only while the in-sync set has at least "
            + "this many members (the master included), else it is answered SYSTEM_ERROR 'in-sync replicas not enough'; "
            + "0: a majority of the group's registered replicas (2 of 3)", (c, v) -> c.minInSyncReplicas =
            parsePositiveOrZero(v), c -> c.minInSyncReplicas);
        def("haMaxTimeSlaveNotCatchup", "3000", "controller mode: a replica that has not caught up with the master for "
            + "this many milliseconds leaves the in-sync set (sends stop waiting for it once the controllers agree); "
            + "RocketMQ's default is 15000", (c, v) -> c.haMaxTimeSlaveNotCatchup = parsePositive(v),
            c -> c.haMaxTimeSlaveNotCatchup);
        def("slaveReadEnable", "false", "a master may send consumers of a cold backlog to its replica "
            + "(suggestWhichBrokerId)", (c, v) -> c.slaveReadEnable = parseBool(v), c -> c.slaveReadEnable);
        def("listenPort", "10911", "port clients connect to", (c, v) -> c.listenPort = parsePort(v), c -> c.listenPort);
        def("bindAddress", "0.0.0.0", "local address to listen on (Quiver)", (c, v) -> c.bindAddress = v, c -> c.bindAddress);
        def("useEpollNativeSelector", "true", "serve connections with Netty's native epoll transport where Linux has it "
            + "(false: the JDK's NIO; RocketMQ's default is false)",
            (c, v) -> c.useEpollNativeSelector = parseBool(v), c -> c.useEpollNativeSelector);
        def("brokerIP1", "(first non-loopback IPv4)", "address advertised to clients and embedded in message ids",
            (c, v) -> c.brokerIP1 = v, c -> c.brokerIP1);
        def("namesrvAddr", "127.0.0.1:9876", "name servers, separated by ';'", (c, v) -> c.namesrvAddr = v, c -> c.namesrvAddr);
        def("storePathRootDir", "./data/broker", "data directory", (c, v) -> c.storePathRootDir = Path.of(v), c -> c.storePathRootDir);
        def("autoCreateTopicEnable", "true", "create unknown topics on first send (via TBW102)",
            (c, v) -> c.autoCreateTopicEnable = parseBool(v), c -> c.autoCreateTopicEnable);
        def("autoCreateSubscriptionGroup", "true", "create unknown consumer groups on first use",
            (c, v) -> c.autoCreateSubscriptionGroup = parseBool(v), c -> c.autoCreateSubscriptionGroup);
        def("defaultTopicQueueNums", "8", "queues of the TBW102 auto-create template",
            (c, v) -> c.defaultTopicQueueNums = parsePositive(v), c -> c.defaultTopicQueueNums);
        def("maxMessageSize", "4194304", "largest message body accepted, bytes",
            (c, v) -> c.maxMessageSize = parsePositive(v), c -> c.maxMessageSize);
        def("brokerPermission", "6", "6 = read+write, 4 = read-only, 2 = write-only",
            (c, v) -> c.brokerPermission = Integer.parseInt(v), c -> c.brokerPermission);
        def("flushDiskType", "SYNC_FLUSH", "SYNC_FLUSH: a send is acknowledged after its record is forced to disk (group commit); ASYNC_FLUSH: once it is in memory (RocketMQ's default)",
            (c, v) -> c.flushDiskType = FlushMode.valueOf(v.trim().toUpperCase()), c -> c.flushDiskType);
        def("syncFlushTimeout", "5000", "SYNC_FLUSH sends not on disk within this many ms are answered FLUSH_DISK_TIMEOUT",
            (c, v) -> c.syncFlushTimeout = Long.parseLong(v), c -> c.syncFlushTimeout);
        def("flushIntervalCommitLog", "500", "ASYNC_FLUSH: ms between forces", (c, v) -> c.flushIntervalCommitLog = Long.parseLong(v),
            c -> c.flushIntervalCommitLog);
        def("flushCommitLogLeastPages", "4", "ASYNC_FLUSH: 4 KiB pages that must be dirty before a periodic force",
            (c, v) -> c.flushCommitLogLeastPages = parsePositiveOrZero(v), c -> c.flushCommitLogLeastPages);
        def("flushCommitLogThoroughInterval", "10000", "ASYNC_FLUSH: longest ms between forces, whatever is dirty",
            (c, v) -> c.flushCommitLogThoroughInterval = Long.parseLong(v), c -> c.flushCommitLogThoroughInterval);
        def("mappedFileSizeCommitLog", "1073741824", "bytes per commit-log segment file",
            (c, v) -> c.mappedFileSizeCommitLog = parsePositive(v), c -> c.mappedFileSizeCommitLog);
        def("mappedFileSizeConsumeQueue", "6000000", "bytes per consume-queue file (20 bytes per entry)",
            (c, v) -> c.mappedFileSizeConsumeQueue = parsePositive(v), c -> c.mappedFileSizeConsumeQueue);
        def("fileReservedTime", "72", "hours a commit-log segment is kept after its newest message",
            (c, v) -> c.fileReservedTime = parsePositiveOrZero(v), c -> c.fileReservedTime);
        def("traceStoreEnable", "true", "keep the broker's own trace of every message (stored, delivered, consumed, retried, dead-lettered) for quiver message trace and the console",
            (c, v) -> c.traceStoreEnable = parseBool(v), c -> c.traceStoreEnable);
        def("traceStoreMaxBytes", "1073741824", "bytes the trace store may use; its oldest segment goes first",
            (c, v) -> c.traceStoreMaxBytes = parseNonNegativeLong(v), c -> c.traceStoreMaxBytes);
        def("traceStoreRetentionHours", "72", "hours trace entries are kept (a whole segment goes when its newest entry is older)",
            (c, v) -> c.traceStoreRetentionHours = parsePositive(v), c -> c.traceStoreRetentionHours);
        def("traceStoreSegmentBytes", "67108864", "bytes per trace-store segment file",
            (c, v) -> c.traceStoreSegmentBytes = parsePositive(v), c -> c.traceStoreSegmentBytes);
        def("traceStoreQueueCapacity", "65536", "trace entries waiting for the trace writer at most; more are dropped (and counted), never slowing a send or a pull",
            (c, v) -> c.traceStoreQueueCapacity = parsePositive(v), c -> c.traceStoreQueueCapacity);
        def("traceTopicEnable", "false", "create the clients' trace topic (msgTraceTopicName) at start, for enableMsgTrace clients when autoCreateTopicEnable=false",
            (c, v) -> c.traceTopicEnable = parseBool(v), c -> c.traceTopicEnable);
        def("msgTraceTopicName", "RMQ_SYS_TRACE_TOPIC", "topic of the clients' own trace, merged into quiver message trace",
            (c, v) -> c.msgTraceTopicName = v.trim(), c -> c.msgTraceTopicName);
        def("deleteWhen", "04", "hours of the day (00-23, separated by ';') when expired segments are deleted",
            (c, v) -> c.deleteWhen = parseHours(v), c -> c.deleteWhen);
        def("diskMaxUsedSpaceRatio", "75", "disk use (%) above which expired segments are deleted at any hour",
            (c, v) -> c.diskMaxUsedSpaceRatio = parsePercent(v), c -> c.diskMaxUsedSpaceRatio);
        def("diskSpaceCleanForciblyRatio", "100", "disk use (%) above which the oldest segment is deleted even if not expired; 100 = never (RocketMQ: 85)",
            (c, v) -> c.diskSpaceCleanForciblyRatio = parsePercent(v), c -> c.diskSpaceCleanForciblyRatio);
        def("diskSpaceWarningLevelRatio", "90", "disk use (%) at which writes are refused (reads continue) until space is freed",
            (c, v) -> c.diskSpaceWarningLevelRatio = parsePercent(v), c -> c.diskSpaceWarningLevelRatio);
        def("diskMinFreeBytes", "-1", "writes are also refused while less than this many bytes are free on the store's disk; -1 = two commit-log segments, 0 = no floor",
            (c, v) -> c.diskMinFreeBytes = parseBytesOrDefault(v), c -> c.diskMinFreeBytes);
        def("maxHashSlotNum", "1000000", "hash slots per message-index file (RocketMQ: 5000000)",
            (c, v) -> c.maxHashSlotNum = parsePositive(v), c -> c.maxHashSlotNum);
        def("maxIndexNum", "4000000", "keys per message-index file (RocketMQ: 20000000)",
            (c, v) -> c.maxIndexNum = parsePositive(v), c -> c.maxIndexNum);
        def("transactionCheckInterval", "30000", "ms between check-back rounds over undecided half messages (RocketMQ 5.x: 30000, 4.9: 60000)",
            (c, v) -> c.transactionCheckInterval = parsePositive(v), c -> c.transactionCheckInterval);
        def("transactionTimeOut", "6000", "ms a half message waits for its commit or rollback before the first check-back",
            (c, v) -> c.transactionTimeOut = parsePositiveOrZero(v), c -> c.transactionTimeOut);
        def("transactionCheckMax", "15", "check-backs before an undecided half message is rolled back (discarded)",
            (c, v) -> c.transactionCheckMax = parsePositive(v), c -> c.transactionCheckMax);
        def("rejectTransactionMessage", "false", "refuse transactional messages (NO_PERMISSION)",
            (c, v) -> c.rejectTransactionMessage = parseBool(v), c -> c.rejectTransactionMessage);
        def("messageDelayLevel", io.quiver.broker.config.DelayLevels.DEFAULT,
            "delay of each level (1-based), units s m h d; retries use levels 3 and up",
            (c, v) -> {
                io.quiver.broker.config.DelayLevels.parse(v);
                c.messageDelayLevel = v;
            }, c -> c.messageDelayLevel);
        def("timerWheelEnable", "true", "accept 5.x timer messages (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS)",
            (c, v) -> c.timerWheelEnable = parseBool(v), c -> c.timerWheelEnable);
        def("timerMaxDelaySec", "259200", "latest delivery time a timer message may ask for, seconds ahead (3 days)",
            (c, v) -> c.timerMaxDelaySec = parsePositive(v), c -> c.timerMaxDelaySec);
        def("enablePropertyFilter", "true", "allow SQL92 property filters (RocketMQ's default is false)",
            (c, v) -> c.enablePropertyFilter = parseBool(v), c -> c.enablePropertyFilter);
        def("longPollingEnable", "true", "hold pulls that find nothing until a message arrives or the client's timeout",
            (c, v) -> c.longPollingEnable = parseBool(v), c -> c.longPollingEnable);
        def("shortPollingTimeMills", "1000", "hold time of pulls when long polling is off",
            (c, v) -> c.shortPollingTimeMills = Long.parseLong(v), c -> c.shortPollingTimeMills);
        def("registerNameServerPeriod", "30000", "ms between registrations with the name servers (10000..60000)",
            (c, v) -> c.registerNameServerPeriod = Math.max(10_000, Math.min(60_000, Long.parseLong(v))), c -> c.registerNameServerPeriod);
        def("flushConsumerOffsetInterval", "5000", "ms between writes of consumer offsets to disk",
            (c, v) -> c.flushConsumerOffsetInterval = Long.parseLong(v), c -> c.flushConsumerOffsetInterval);
        def("channelExpiredTimeout", "120000", "clients silent for this many ms are dropped",
            (c, v) -> c.channelExpiredTimeout = Long.parseLong(v), c -> c.channelExpiredTimeout);
        def("grpcServerPort", "8081", "port of the gRPC endpoint (RocketMQ 5 SDKs: Java, Go, Python, Node.js, C#, C++, Rust), TLS and plain text on one port; -1: none",
            (c, v) -> c.grpcServerPort = parsePortOrNone(v), c -> c.grpcServerPort);
        def("tlsCertPath", "", "PEM certificate of the gRPC endpoint's TLS; empty: tls.server.certPath, else a self-signed one made at start",
            (c, v) -> c.tlsCertPath = v.trim(), c -> c.tlsCertPath);
        def("tlsKeyPath", "", "PEM private key (PKCS#8) of tlsCertPath",
            (c, v) -> c.tlsKeyPath = v.trim(), c -> c.tlsKeyPath);
        def("aclEnable", "false", "check every client request against the accounts of aclFile (RocketMQ's ACL 1.0: requests "
            + "signed by AclClientRPCHook); refusals get NO_PERMISSION", (c, v) -> c.aclEnable = parseBool(v), c -> c.aclEnable);
        def("adminRequestsLoopbackOnly", "false", "with ACL off: requests that change topics, groups, offsets, settings "
            + "or accounts are served only from this host (127.0.0.1/::1), others get NO_PERMISSION; with ACL on, admin "
            + "accounts decide", (c, v) -> c.adminRequestsLoopbackOnly = parseBool(v), c -> c.adminRequestsLoopbackOnly);
        def("aclFile", "", "the ACL accounts, in RocketMQ's plain_acl.yml format, read again when the file changes; empty: "
            + "plain_acl.yml beside the --config file, else config/plain_acl.yml under storePathRootDir",
            (c, v) -> c.aclFile = v.trim(), c -> c.aclFile);
        def("metricsExporterType", "PROM", "PROM: serve Prometheus metrics at http://<host>:<metricsPromExporterPort>/metrics; DISABLE: none",
            (c, v) -> c.metricsExporterType = parseChoice(v, "PROM", "DISABLE"), c -> c.metricsExporterType);
        def("consolePort", "8080", "quiver standalone: port of the web console (0: off); when the port is taken, the standalone starts without it and says so",
            (c, v) -> c.consolePort = parsePortOrNone(v), c -> c.consolePort);
        def("metricsPromExporterPort", "5557", "port of the Prometheus /metrics endpoint",
            (c, v) -> c.metricsPromExporterPort = parsePort(v), c -> c.metricsPromExporterPort);
        for (String[] k : io.quiver.remoting.tls.TlsSettings.KEYS) {
            String key = k[0];
            def(key, k[1], k[2], (c, v) -> {
                c.tls.put(key, v);
                c.tlsSettings(); // a value that does not parse is refused now, naming its key
            }, c -> key.endsWith("Password") ? (c.tls.getOrDefault(key, "").isEmpty() ? "" : "(set, not shown)")
                : c.tls.getOrDefault(key, k[1]));
        }
        def("innerClientAuthenticationCredentials", "", "the account this broker signs its own requests with (to name "
            + "servers, its master, controllers), as JSON {\"accessKey\":\"...\",\"secretKey\":\"...\"} (RocketMQ 5.3's "
            + "key); needed where those check ACL, an admin account there", (c, v) -> c.innerCredentials(v),
            c -> c.innerAccessKey == null ? "" : "(accessKey " + c.innerAccessKey + ", secret not shown)");
        def("useTLS", "(tls.enable)", "this broker's own connections (to name servers, its master, controllers) use "
            + "TLS; overrides tls.enable", (c, v) -> c.useTLS = parseBool(v), c -> c.useTLS == null ? "(tls.enable)" : c.useTLS);
        def("metricsPromExporterHost", "127.0.0.1", "address the /metrics endpoint listens on: loopback unless set (0.0.0.0: "
            + "every interface, for a Prometheus on another host; RocketMQ's default is brokerIP1)",
            (c, v) -> c.metricsPromExporterHost = v.trim().isEmpty() ? "127.0.0.1" : v.trim(), c -> c.metricsPromExporterHost);
        def("metricsMaxTopicSeries", "1000", "topics with their own metric series; further topics are counted as topic=\"_other\" (Quiver)",
            (c, v) -> c.metricsMaxTopicSeries = parsePositive(v), c -> c.metricsMaxTopicSeries);
        def("metricsMaxLagSeries", "10000", "most per-queue consumer-lag series in one scrape (Quiver)",
            (c, v) -> c.metricsMaxLagSeries = parsePositive(v), c -> c.metricsMaxLagSeries);
        def("maxTopicCount", "20000", "most ordinary topics the broker holds; creating more is refused with TOPIC_NOT_EXIST naming this limit. Retry and dead-letter topics are counted apart: one of each per consumer group (Quiver)",
            (c, v) -> c.maxTopicCount = parsePositive(v), c -> c.maxTopicCount);
        def("maxSubscriptionGroupCount", "20000", "most consumer groups the broker holds; creating more is refused with SUBSCRIPTION_GROUP_NOT_EXIST naming this limit (Quiver)",
            (c, v) -> c.maxSubscriptionGroupCount = parsePositive(v), c -> c.maxSubscriptionGroupCount);
        def("maxConsumerOffsetEntries", "100000", "most (topic, group) pairs with committed offsets; commits for a new pair beyond it are refused with NO_PERMISSION naming this limit (Quiver)",
            (c, v) -> c.maxConsumerOffsetEntries = parsePositive(v), c -> c.maxConsumerOffsetEntries);
        def("maxClientsPerGroup", "10000", "most live connections of one consumer or producer group; heartbeats beyond it are refused naming this limit (Quiver)",
            (c, v) -> c.maxClientsPerGroup = parsePositive(v), c -> c.maxClientsPerGroup);
        def("drainMaxWaitMillis", "40000", "drain or SIGTERM: longest wait for producers to move their sends elsewhere after write permission is removed (Quiver)",
            (c, v) -> c.drainMaxWaitMillis = parsePositiveOrZero(v), c -> c.drainMaxWaitMillis);
        def("drainQuietMillis", "3000", "drain or SIGTERM: the wait ends early once no send has arrived for this many ms (Quiver)",
            (c, v) -> c.drainQuietMillis = parsePositiveOrZero(v), c -> c.drainQuietMillis);
        def("rebalanceLockMaxLiveTime", "60000", "orderly-consumption queue locks expire after this many ms without renewal",
            (c, v) -> c.rebalanceLockMaxLiveTime = Long.parseLong(v), c -> c.rebalanceLockMaxLiveTime);
    }

    private static void def(String key, String dflt, String meaning, BiConsumer<BrokerConfig, String> parse,
                            Function<BrokerConfig, Object> read) {
        SETTINGS.put(key, new Setting(key, dflt, meaning, parse, read));
    }

    /** The tls.* settings given in the configuration (others come from system properties, as RocketMQ reads them). */
    private final Map<String, String> tls = new java.util.HashMap<>();

    /**
     * TLS of the remoting port and of this broker's own connections: the tls.* keys of the configuration, else the
     * system property of the same name (-Dtls.server.mode=..., RocketMQ's way), else the default.
     */
    public io.quiver.remoting.tls.TlsSettings tlsSettings() {
        io.quiver.remoting.tls.TlsSettings s =
            io.quiver.remoting.tls.TlsSettings.from(k -> tls.containsKey(k) ? tls.get(k) : System.getProperty(k));
        return useTLS == null ? s : s.withClientEnable(useTLS);
    }

    /** The ACL file: {@code aclFile}, else config/plain_acl.yml under storePathRootDir. */
    public Path aclFilePath() {
        return aclFile.isEmpty() ? storePathRootDir.resolve("config").resolve("plain_acl.yml") : Path.of(aclFile);
    }

    /** The account of innerClientAuthenticationCredentials, or null: this broker's own requests are not signed. */
    public String innerAccessKey;
    public int consolePort = 8080;
    public String innerSecretKey;

    private void innerCredentials(String json) {
        if (json.isBlank()) {
            innerAccessKey = null;
            innerSecretKey = null;
            return;
        }
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: write {\"accessKey\":\"...\",\"secretKey\":\"...\"}");
        }
        String ak = n == null ? null : n.path("accessKey").asText(null);
        String sk = n == null ? null : n.path("secretKey").asText(null);
        if (ak == null || ak.isBlank() || sk == null || sk.isBlank()) {
            throw new IllegalArgumentException("both accessKey and secretKey are needed");
        }
        innerAccessKey = ak.trim();
        innerSecretKey = sk;
    }

    /** broker.conf's useTLS (RocketMQ's key for the broker's own connections); null: tls.enable decides. */
    public Boolean useTLS;

    public boolean adminRequestsLoopbackOnly;

    public String brokerClusterName = "DefaultCluster";
    public String brokerName = "broker-a";
    public long brokerId;
    public BrokerRole brokerRole = BrokerRole.ASYNC_MASTER;
    /** 0: listenPort + 1. */
    public int haListenPort;
    public String haMasterAddress;
    public String brokerIP2;
    public boolean slaveReadEnable;
    public boolean enableControllerMode;
    public String controllerAddr = "";
    public int brokerHeartbeatInterval = 500;
    public int minInSyncReplicas;
    public int haMaxTimeSlaveNotCatchup = 3_000;
    public boolean haReplicaAckAfterForce;
    public long haMaxGapNotInSync = 256L * 1024 * 1024;
    public int accessMessageInMemoryMaxRatio = 40;
    public int listenPort = 10911;
    public String bindAddress = "0.0.0.0";
    public boolean useEpollNativeSelector = true;
    public String brokerIP1 = detectAddress();
    public String namesrvAddr = "127.0.0.1:9876";
    public Path storePathRootDir = Path.of("data", "broker");
    public boolean autoCreateTopicEnable = true;
    public volatile boolean autoCreateSubscriptionGroup = true;
    public int defaultTopicQueueNums = 8;
    public int maxMessageSize = 4 * 1024 * 1024;
    public volatile int brokerPermission = 6;
    public FlushMode flushDiskType = FlushMode.SYNC_FLUSH;
    public long syncFlushTimeout = 5_000;
    public long flushIntervalCommitLog = 500;
    public int flushCommitLogLeastPages = 4;
    public long flushCommitLogThoroughInterval = 10_000;
    public int mappedFileSizeCommitLog = 1024 * 1024 * 1024;
    public int mappedFileSizeConsumeQueue = 6_000_000;
    public int fileReservedTime = 72;
    public boolean traceStoreEnable = true;
    public long traceStoreMaxBytes = 1024L * 1024 * 1024;
    public int traceStoreRetentionHours = 72;
    public int traceStoreSegmentBytes = 64 * 1024 * 1024;
    public int traceStoreQueueCapacity = 65_536;
    public boolean traceTopicEnable;
    public String msgTraceTopicName = "RMQ_SYS_TRACE_TOPIC";
    public String deleteWhen = "04";
    public int diskMaxUsedSpaceRatio = 75;
    public int diskSpaceCleanForciblyRatio = 100;
    public int diskSpaceWarningLevelRatio = 90;
    public long diskMinFreeBytes = -1;
    public int maxHashSlotNum = 1_000_000;
    public int maxIndexNum = 4_000_000;
    public volatile long transactionCheckInterval = 30_000;
    public volatile long transactionTimeOut = 6_000;
    public volatile int transactionCheckMax = 15;
    public volatile boolean rejectTransactionMessage;
    public String messageDelayLevel = io.quiver.broker.config.DelayLevels.DEFAULT;
    public volatile boolean enablePropertyFilter = true;
    public volatile boolean timerWheelEnable = true;
    public volatile int timerMaxDelaySec = 259_200;
    public volatile boolean longPollingEnable = true;
    public volatile long shortPollingTimeMills = 1_000;
    public long registerNameServerPeriod = 30_000;
    public long flushConsumerOffsetInterval = 5_000;
    public volatile long channelExpiredTimeout = 120_000;
    public long rebalanceLockMaxLiveTime = 60_000;
    public String metricsExporterType = "PROM";
    public String metricsPromExporterHost = "127.0.0.1";
    public int grpcServerPort = 8081;
    public boolean aclEnable = false;
    public String aclFile = "";
    public String tlsCertPath = "";
    public String tlsKeyPath = "";
    public int metricsPromExporterPort = 5557;
    public int metricsMaxTopicSeries = 1_000;
    public int metricsMaxLagSeries = 10_000;
    public int maxTopicCount = 20_000;
    public int maxSubscriptionGroupCount = 20_000;
    public int maxConsumerOffsetEntries = 100_000;
    public int maxClientsPerGroup = 10_000;
    public volatile long drainMaxWaitMillis = 40_000;
    public volatile long drainQuietMillis = 3_000;

    public static Map<String, Setting> settings() {
        return Collections.unmodifiableMap(SETTINGS);
    }

    /**
     * Applies {@code key=value} settings. Returns one warning per key that is unknown or accepted but not
     * acted on yet; throws {@link IllegalArgumentException} naming the key for a value that does not parse.
     */
    public List<String> apply(Map<String, String> values) {
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey().trim();
            Setting s = SETTINGS.get(key);
            if (s == null) {
                warnings.add(ACCEPTED_NOT_YET_USED.contains(key)
                    ? "setting '" + key + "' is a RocketMQ setting that this Quiver version does not act on yet; ignored"
                    : "unknown setting '" + key + "' ignored (see the configuration table in the README)");
                continue;
            }
            try {
                s.parse().accept(this, e.getValue().trim());
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("setting '" + key + "' has an invalid value '" + e.getValue() + "': "
                    + ex.getMessage(), ex);
            }
        }
        return warnings;
    }

    /**
     * Settings whose {@link #asMap} value is for people (a default described, a secret not shown), so {@link #copy}
     * carries them over as they were given instead.
     */
    private static final java.util.Set<String> COPIED_AS_GIVEN;

    static {
        java.util.Set<String> keys = new java.util.HashSet<>(java.util.Set.of("useTLS", "innerClientAuthenticationCredentials"));
        io.quiver.remoting.tls.TlsSettings.KEYS.forEach(k -> keys.add(k[0]));
        COPIED_AS_GIVEN = java.util.Set.copyOf(keys);
    }

    /** A copy with every setting as in this one (a broker restarting in another role starts from it). */
    public BrokerConfig copy() {
        BrokerConfig out = new BrokerConfig();
        Map<String, String> m = asMap();
        m.keySet().removeAll(COPIED_AS_GIVEN);
        out.apply(m);
        out.tls.putAll(tls);
        out.useTLS = useTLS;
        out.innerAccessKey = innerAccessKey;
        out.innerSecretKey = innerSecretKey;
        out.storePathRootDir = storePathRootDir;
        return out;
    }

    /** Current values of every setting, as strings (GET_BROKER_CONFIG); secrets are not shown. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        SETTINGS.forEach((k, s) -> m.put(k, String.valueOf(s.read().apply(this))));
        return m;
    }

    /** The port replicas connect to: {@code haListenPort}, by default {@code listenPort + 1}. */
    public int haPort() {
        return haListenPort > 0 ? haListenPort : listenPort + 1;
    }

    /** The replication address a master registers: {@code brokerIP2:haPort}. */
    public String haServerAddr() {
        return (brokerIP2 == null ? brokerIP1 : brokerIP2) + ":" + haPort();
    }

    public boolean isReplica() {
        return brokerRole == BrokerRole.SLAVE;
    }

    /**
     * Whether the broker's identity settings agree: a replica has brokerId 1 or more, a master 0. Returns
     * the problem, or null.
     */
    public String roleProblem() {
        if (isReplica() && brokerId < 1) {
            return "brokerRole=SLAVE needs brokerId 1 or more (brokerId 0 is the master's)";
        }
        if (!isReplica() && brokerId != 0) {
            return "brokerRole=" + brokerRole + " is a master, whose brokerId is 0 (not " + brokerId + ")";
        }
        return null;
    }

    /** The address clients reach this broker at: {@code brokerIP1:listenPort}. */
    public String brokerAddr() {
        return brokerIP1 + ":" + listenPort;
    }

    private static int parsePort(String v) {
        int p = Integer.parseInt(v);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("a port is between 0 and 65535");
        }
        return p;
    }

    private static int parsePortOrNone(String v) {
        int p = Integer.parseInt(v.trim());
        if (p < -1 || p > 65535) {
            throw new IllegalArgumentException("a port is between 0 and 65535, or -1 for none");
        }
        return p;
    }

    private static int parsePositive(String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException("must be positive");
        }
        return n;
    }

    /** Bytes, 0 or more, or -1 for the computed default. */
    private static long parseBytesOrDefault(String v) {
        long n = Long.parseLong(v);
        if (n < -1) {
            throw new IllegalArgumentException("must be -1 (the default) or a number of bytes");
        }
        return n;
    }

    private static int parsePositiveOrZero(String v) {
        int n = Integer.parseInt(v);
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return n;
    }

    private static int parsePercent(String v) {
        int n = Integer.parseInt(v);
        if (n < 1 || n > 100) {
            throw new IllegalArgumentException("a percentage between 1 and 100");
        }
        return n;
    }

    private static String parseHours(String v) {
        hours(v);
        return v;
    }

    /** The hours listed in a deleteWhen value such as {@code 04} or {@code 04;16}. */
    public static java.util.Set<Integer> hours(String v) {
        java.util.Set<Integer> hours = new java.util.TreeSet<>();
        for (String h : v.split(";")) {
            if (h.isBlank()) {
                continue;
            }
            int n = Integer.parseInt(h.trim());
            if (n < 0 || n > 23) {
                throw new IllegalArgumentException("hours are 00 to 23, got " + h);
            }
            hours.add(n);
        }
        return hours;
    }

    private static long parseNonNegativeLong(String v) {
        long n = Long.parseLong(v);
        if (n < 0) {
            throw new IllegalArgumentException("must be 0 or more");
        }
        return n;
    }

    private static String parseChoice(String v, String... choices) {
        for (String c : choices) {
            if (c.equalsIgnoreCase(v)) {
                return c;
            }
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", choices));
    }

    private static boolean parseBool(String v) {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** The first site-local (else any non-loopback) IPv4 address, as RocketMQ brokers pick by default. */
    static String detectAddress() {
        String fallback = null;
        try {
            Enumeration<NetworkInterface> nics = NetworkInterface.getNetworkInterfaces();
            while (nics != null && nics.hasMoreElements()) {
                NetworkInterface nic = nics.nextElement();
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (Enumeration<InetAddress> as = nic.getInetAddresses(); as.hasMoreElements(); ) {
                    InetAddress a = as.nextElement();
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        if (a.isSiteLocalAddress()) {
                            return a.getHostAddress();
                        }
                        fallback = fallback == null ? a.getHostAddress() : fallback;
                    }
                }
            }
        } catch (Exception ignored) {
            // fall back to loopback below
        }
        return fallback != null ? fallback : "127.0.0.1";
    }
}
