package io.quiver.broker;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.RegisterBrokerBody;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RemotingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker registered with every configured name server (fact sheet §3.2): at start, every
 * {@code registerNameServerPeriod}, and soon after a topic change. All registrations run on the broker's
 * scheduler thread; a burst of topic changes coalesces into one registration.
 */
final class NameServerRegistrar {
    private static final Logger log = LoggerFactory.getLogger(NameServerRegistrar.class);
    static final long CALL_TIMEOUT_MILLIS = 3_000;

    private final BrokerConfig config;
    private final TopicTable topics;
    private final RemotingClient client;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean soonPending = new AtomicBoolean();
    /** A replica's master as the name servers last reported it: its address and its replication address. */
    private volatile String masterAddr;
    private volatile String masterHaAddr;
    private volatile boolean readOnly;
    /** Held while registering, so an unregistration never overtakes a registration on its way. */
    private final Object sendLock = new Object();
    /** Set once the broker unregistered (it is stopping): no registration may follow. */
    private volatile boolean unregistered;
    /** Controller mode, a master: the epoch it was elected in, stated in its registrations (0: none). */
    private volatile long masterEpoch;
    private volatile String grpcAddr;

    /** Controller mode, a master: state {@code epoch} in every registration, so a deposed master cannot take the route. */
    void masterEpoch(long epoch) {
        this.masterEpoch = epoch;
    }

    NameServerRegistrar(BrokerConfig config, TopicTable topics, RemotingClient client, ScheduledExecutorService scheduler) {
        this.config = config;
        this.topics = topics;
        this.client = client;
        this.scheduler = scheduler;
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        String s = config.namesrvAddr;
        if (s == null) {
            return out;
        }
        for (String a : s.split(";")) {
            if (!a.isBlank()) {
                out.add(a.trim());
            }
        }
        return out;
    }

    void start() {
        registerAll();
        long period = config.registerNameServerPeriod;
        scheduler.scheduleWithFixedDelay(this::registerAll, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Longest gap between registrations asked for by changes. Each registration carries every topic, so its
     * cost grows with the table: change-driven registrations keep a gap of four times the last one's
     * duration (at least 10 ms, at most this), and a burst of topic creations is announced in a few
     * registrations instead of one per topic, while a small broker still announces a new topic at once.
     */
    static final long MAX_GAP_MILLIS = 1_000;
    private volatile long lastRegisteredNanos;
    private volatile long lastDurationMillis;

    /** Completes when the registration scheduled by {@link #registerSoon} has run; guarded by this. */
    private CompletableFuture<Void> soonDone = new CompletableFuture<>();

    /**
     * Schedules one registration shortly; further calls before it runs are absorbed. The future completes
     * once that registration (which carries every change made before it starts) has been answered, as
     * RocketMQ answers a topic's creation after announcing it: clients may look its route up at once.
     */
    public synchronized CompletableFuture<Void> registerSoon() {
        if (soonPending.compareAndSet(false, true)) {
            long gap = Math.min(MAX_GAP_MILLIS, Math.max(10, 4 * lastDurationMillis));
            long sinceLast = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRegisteredNanos);
            scheduler.schedule(() -> {
                CompletableFuture<Void> done;
                synchronized (this) {
                    soonPending.set(false);
                    done = soonDone;
                    soonDone = new CompletableFuture<>();
                }
                try {
                    registerAll();
                } finally {
                    done.complete(null);
                }
            }, Math.max(10, gap - sinceLast), TimeUnit.MILLISECONDS);
        }
        return soonDone;
    }

    /**
     * From now on, registers every topic without write permission (a drain), and does so at once. Each such
     * registration carries a fresh data version, so name servers replace the routes they hold.
     */
    void advertiseReadOnly() {
        readOnly = true;
        registerAll();
    }

    /** Registers with every name server and waits (bounded) for their answers; nothing once unregistered. */
    void registerAll() {
        synchronized (sendLock) {
            if (unregistered) {
                return; // a registration after the unregistration would put a stopping broker back into the routes
            }
            long t0 = System.nanoTime();
            try {
                registerAllNow();
            } finally {
                lastRegisteredNanos = System.nanoTime();
                lastDurationMillis = TimeUnit.NANOSECONDS.toMillis(lastRegisteredNanos - t0);
            }
        }
    }

    /** The gRPC endpoint registered with this broker from now on ("host:port"), for other brokers' gRPC routes. */
    public void grpcAddress(String hostPort) {
        grpcAddr = hostPort;
    }

    private void registerAllNow() {
        BrokerConfig c = config;
        RegisterBrokerBody body = new RegisterBrokerBody();
        boolean ro = readOnly;
        body.topicConfigSerializeWrapper = topics.snapshot(ro ? c.brokerPermission & ~PermName.WRITE
            : c.brokerPermission);
        if (ro) {
            body.topicConfigSerializeWrapper.dataVersion = new DataVersion(System.currentTimeMillis(),
                body.topicConfigSerializeWrapper.dataVersion.counter);
        }
        byte[] bytes = Json.encode(body);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        List<CompletableFuture<RemotingCommand>> calls = new ArrayList<>();
        for (String addr : addresses()) {
            RemotingCommand req = RemotingCommand.request(RequestCode.REGISTER_BROKER).body(bytes);
            new RequestHeaders.RegisterBroker(c.brokerName, c.brokerAddr(), c.brokerClusterName,
                c.haServerAddr(), c.brokerId, false, (int) (crc.getValue() & 0x7FFFFFFF), null,
                c.brokerId == 0 && masterEpoch > 0 ? masterEpoch : null, grpcAddr)
                .encode(req);
            calls.add(client.invoke(addr, req, CALL_TIMEOUT_MILLIS).whenComplete((resp, e) -> {
                if (e != null) {
                    log.warn("registration with name server {} failed: {}", addr, e.getMessage());
                } else if (resp.code() != ResponseCode.SUCCESS) {
                    log.warn("name server {} refused registration: code {} {}", addr, resp.code(), resp.remark());
                } else if (c.brokerId != 0) {
                    learnMaster(addr, resp.ext("masterAddr"), resp.ext("haServerAddr"));
                }
            }));
        }
        for (CompletableFuture<RemotingCommand> f : calls) {
            try {
                f.get(CALL_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // logged above
            }
        }
    }

    void unregisterAll() {
        synchronized (sendLock) {
            unregistered = true; // a registration in progress has been answered; none follows
        }
        BrokerConfig c = config;
        List<CompletableFuture<RemotingCommand>> calls = new ArrayList<>();
        for (String addr : addresses()) {
            RemotingCommand req = RemotingCommand.request(RequestCode.UNREGISTER_BROKER);
            new RequestHeaders.UnregisterBroker(c.brokerName, c.brokerAddr(), c.brokerClusterName, c.brokerId).encode(req);
            calls.add(client.invoke(addr, req, CALL_TIMEOUT_MILLIS));
        }
        for (CompletableFuture<RemotingCommand> f : calls) {
            try {
                f.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception ignored) {
                // best effort: the name server expires us anyway
            }
        }
    }

    /** What a name server said of this replica's master (null fields: no live master there). */
    private void learnMaster(String namesrv, String master, String haAddr) {
        if (haAddr != null && !haAddr.isBlank() && !haAddr.equals(masterHaAddr)) {
            log.info("name server {} reports the master of {} at {} (replication address {})", namesrv, config.brokerName,
                master, haAddr);
            masterHaAddr = haAddr;
        }
        if (master != null && !master.isBlank()) {
            masterAddr = master;
        }
    }

    /** The master's replication address learned from the name servers, or null (replicas only). */
    String masterHaAddress() {
        return masterHaAddr;
    }

    /** The master's client address learned from the name servers, or null (replicas only). */
    String masterAddress() {
        return masterAddr;
    }
}
