package io.quiver.replication;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.quiver.remoting.Transport;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's replication listener ({@code haListenPort}): each replica connects here and is served by a
 * {@link ShippingSession}. At most {@link #MAX_REPLICAS} at a time.
 */
public final class ShippingServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShippingServer.class);

    /** Replicas served at once; more are refused. */
    public static final int MAX_REPLICAS = 8;
    /** Bytes shipped to one replica and not yet acknowledged, at most. */
    static final long MAX_IN_FLIGHT_BYTES = 16L * 1024 * 1024;
    /** Bytes of entries per frame (a single larger record still goes whole). */
    static final int CHUNK_BYTES = 256 * 1024;
    static final long HEARTBEAT_MILLIS = 1_000;
    /** A replica that sends nothing (it acknowledges every heartbeat) for this long is dropped. */
    static final int IDLE_CLOSE_SECONDS = 20;

    /** Who this master is; a replica must name the same cluster and broker. */
    public record Identity(String cluster, String brokerName) {}

    /** What a status query reports of one connected replica. */
    public record ReplicaStatus(long brokerId, String address, long ackedOffset, long lagBytes, long millisSinceAck,
                                boolean inSync, long fromOffset, long bytesPerSecond) {}

    private final Identity identity;
    private final MessageStore store;
    private final String bindHost;
    private final int port;
    private final Clock clock;
    private final Set<ShippingSession> sessions = ConcurrentHashMap.newKeySet();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private ScheduledFuture<?> ticker;
    private volatile AckGate gate;
    private volatile long maxGapNotInSync = DEFAULT_MAX_GAP_NOT_IN_SYNC;
    /**
     * Controller mode: the replicas (brokerIds) every acknowledgement waits for, written on the loop; null in
     * SYNC_MASTER mode, where any one in-sync replica confirms.
     */
    private volatile Set<Long> required;
    /** Controller mode: whether this master may acknowledge at all (its lease from the controllers holds). */
    private volatile java.util.function.BooleanSupplier mayAcknowledge = () -> true;
    /** Controller mode: the in-sync set the controllers hold is smaller than minInSyncReplicas. */
    private volatile boolean inSyncTooSmall;

    /** A replica further behind than this many bytes is not in sync (RocketMQ's haMaxGapNotInSync default). */
    public static final long DEFAULT_MAX_GAP_NOT_IN_SYNC = 256L * 1024 * 1024;

    public ShippingServer(Identity identity, MessageStore store, String bindHost, int port, Clock clock) {
        this.identity = identity;
        this.store = store;
        this.bindHost = bindHost;
        this.port = port;
        this.clock = clock;
    }

    private io.quiver.remoting.tls.ServerTls tls;
    private final io.quiver.remoting.LimitedLog tlsRefusals = new io.quiver.remoting.LimitedLog();

    /**
     * Serves TLS as the broker's remoting port does ({@code tls.server.mode}, its certificate and client
     * authentication: replicas present their tls.client certificate); call before {@link #start}.
     */
    public ShippingServer tls(io.quiver.remoting.tls.ServerTls t) {
        this.tls = t;
        return this;
    }

    public void start(Transport transport) {
        boss = transport.group(1, new DefaultThreadFactory("quiver-ha-accept", true));
        workers = transport.group(1, new DefaultThreadFactory("quiver-ha-ship", true));
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast("tls-sniffer",
                            io.quiver.remoting.TlsSniffer.closingPlainText("replication", tls, tlsRefusals));
                    }
                    ch.pipeline().addLast("idle", new IdleStateHandler(IDLE_CLOSE_SECONDS, 0, 0, TimeUnit.SECONDS));
                    FrameHandlers.install(ch.pipeline());
                    ch.pipeline().addLast("session", new ShippingSession(ShippingServer.this, store));
                }
            });
        try {
            serverChannel = b.bind(new InetSocketAddress(bindHost, port)).sync().channel();
        } catch (Exception e) {
            close();
            throw new ReplicationException("the replication listener cannot listen on " + bindHost + ":" + port + ": "
                + e.getMessage(), e);
        }
        ticker = workers.next().scheduleAtFixedRate(() -> {
            sessions.forEach(ShippingSession::tick);
            AckGate g = gate;
            if (g != null) {
                g.prune();
            }
        }, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
        log.info("replication listener on {}:{} for broker {} of cluster {}", bindHost, port(), identity.brokerName(),
            identity.cluster());
    }

    /**
     * The wait a SYNC_MASTER's store puts its sends through ({@link io.quiver.store.MessageStore#replicateWith}):
     * a replica must confirm within {@code timeoutMillis}. Call after {@link #start}.
     */
    public io.quiver.store.ReplicaGate syncGate(long timeoutMillis, long maxGapNotInSync) {
        this.maxGapNotInSync = maxGapNotInSync;
        AckGate g = new AckGate(this, workers.next(), timeoutMillis);
        gate = g;
        return g;
    }

    /**
     * Controller mode's wait: every replica named by {@link #requireReplicas} must confirm, and nothing is confirmed
     * while {@code mayAcknowledge} is false. Call after {@link #start}; until the first {@link #requireReplicas} no
     * replica is required.
     */
    public io.quiver.store.ReplicaGate inSyncGate(long timeoutMillis, java.util.function.BooleanSupplier mayAcknowledge) {
        this.mayAcknowledge = mayAcknowledge;
        this.required = Set.of();
        AckGate g = new AckGate(this, workers.next(), timeoutMillis);
        gate = g;
        return g;
    }

    /**
     * Controller mode, any thread: from now on every acknowledgement waits for {@code replicaIds};
     * {@code tooSmall} says the in-sync set is below minInSyncReplicas. Completes once the gate applies it
     * (a send acknowledged after that waited for all of them).
     */
    public java.util.concurrent.CompletableFuture<Void> requireReplicas(Set<Long> replicaIds, boolean tooSmall) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        AckGate g = gate;
        if (g == null) {
            done.completeExceptionally(new IllegalStateException("no in-sync gate"));
            return done;
        }
        Set<Long> copy = Set.copyOf(replicaIds);
        try {
            g.loop().execute(() -> {
                required = copy;
                inSyncTooSmall = tooSmall;
                g.reset(bestAcknowledged());
                done.complete(null);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the replication listener has stopped"));
        }
        return done;
    }

    long storeEnd() {
        return store.commitLogWritePosition();
    }

    void confirmUpTo(long position) {
        store.confirmUpTo(position);
    }

    boolean mayAcknowledge() {
        return mayAcknowledge.getAsBoolean();
    }

    boolean inSyncTooSmall() {
        return inSyncTooSmall;
    }

    boolean controllerMode() {
        return required != null;
    }

    /**
     * Loop: the end every required replica has confirmed (controller mode; unbounded when none is required), or
     * the best any replica confirmed (SYNC_MASTER).
     */
    private long bestAcknowledged() {
        Set<Long> req = required;
        if (req == null) {
            long best = -1;
            for (ShippingSession s : sessions) {
                best = Math.max(best, s.ackedEnd());
            }
            return best;
        }
        long best = Long.MAX_VALUE;
        for (long id : req) {
            long acked = -1;
            for (ShippingSession s : sessions) {
                if (s.brokerId() == id) {
                    acked = Math.max(acked, s.ackedEnd());
                }
            }
            best = Math.min(best, acked);
        }
        return best;
    }

    /** Whether some replica is connected and within the in-sync gap of this master's end. Any thread. */
    boolean anyReplicaInSync() {
        long end = store.commitLogWritePosition();
        for (ShippingSession s : sessions) {
            if (s.ackedEnd() >= 0 && end - s.ackedEnd() <= maxGapNotInSync) {
                return true;
            }
        }
        return false;
    }

    /** Session loop (the one worker loop): a replica acknowledged. */
    void acknowledged() {
        AckGate g = gate;
        if (g != null) {
            g.acknowledged(bestAcknowledged());
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Any thread (the store's writer, after each group): replicas may have something new to fetch. */
    public void wake() {
        for (ShippingSession s : sessions) {
            s.wake();
        }
    }

    /** The replicas shipping now, with their acknowledged offsets. */
    public List<ReplicaStatus> replicas() {
        long end = store.commitLogWritePosition();
        long now = clock.millis();
        List<ReplicaStatus> out = new ArrayList<>();
        for (ShippingSession s : sessions) {
            long lag = Math.max(0, end - s.ackedEnd());
            out.add(new ReplicaStatus(s.brokerId(), s.remoteAddress(), s.ackedEnd(), lag, now - s.lastAckMillis(),
                s.ackedEnd() >= 0 && lag <= maxGapNotInSync, s.startOffset(), s.bytesPerSecond()));
        }
        out.sort(java.util.Comparator.comparingLong(ReplicaStatus::brokerId));
        return out;
    }

    /** Why the replica that said {@code h} cannot follow this master, or null if it can. */
    String check(Frame.Hello h) {
        if (h.version() != Frame.VERSION) {
            return "the replica speaks shipping protocol version " + h.version() + ", this master " + Frame.VERSION;
        }
        if (!identity.cluster().equals(h.cluster()) || !identity.brokerName().equals(h.brokerName())) {
            return "the replica belongs to broker " + h.brokerName() + " of cluster " + h.cluster() + ", this master is "
                + identity.brokerName() + " of cluster " + identity.cluster() + " (check brokerName, brokerClusterName "
                + "and haMasterAddress)";
        }
        if (h.brokerId() <= 0) {
            return "a replica needs brokerId 1 or more, not " + h.brokerId();
        }
        if (h.segmentBytes() != store.commitLogSegmentBytes()) {
            return "the replica's commit-log segments have " + h.segmentBytes() + " bytes, this master's "
                + store.commitLogSegmentBytes() + ": set mappedFileSizeCommitLog to the same value on both";
        }
        if (h.maxMessageBytes() < store.maxMessageBytes()) {
            return "the replica's maxMessageSize (" + h.maxMessageBytes() + ") is below this master's ("
                + store.maxMessageBytes() + "): it could not hold every message; raise it on the replica";
        }
        for (ShippingSession s : sessions) {
            if (s.brokerId() == h.brokerId()) {
                // The replica reconnected before this master saw its old connection end: the new one wins.
                log.warn("replica brokerId {} connected again; closing its previous connection from {}", h.brokerId(),
                    s.remoteAddress());
                s.close();
            }
        }
        if (sessions.size() >= MAX_REPLICAS) {
            return "this master already ships to " + MAX_REPLICAS + " replicas";
        }
        return null;
    }

    void registered(ShippingSession s) {
        sessions.add(s);
    }

    void unregistered(ShippingSession s) {
        sessions.remove(s);
        AckGate g = gate;
        if (g != null && !controllerMode() && !anyReplicaInSync()) {
            g.noReplicaInSync();
        }
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        Transport.stopListening(serverChannel, boss, workers);
    }
}
