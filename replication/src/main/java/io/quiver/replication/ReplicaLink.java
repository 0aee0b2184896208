package io.quiver.replication;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's link to its master: connects to the master's replication address, states where its log ends,
 * stores every shipped chunk at the master's offsets ({@link MessageStore#appendReplicated}) and acknowledges
 * each new end. Whenever the connection fails, a chunk is refused, or the master goes quiet, it reconnects
 * with back-off and resumes from its own end, so a lost or damaged frame costs a reconnect, never a record.
 * One thread ({@code quiver-replica}) owns the connection and its state.
 */
public final class ReplicaLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);

    static final long MIN_BACKOFF_MILLIS = 200;
    static final long MAX_BACKOFF_MILLIS = 5_000;
    /** After the master refused this replica, it is asked again this rarely. */
    static final long REFUSED_BACKOFF_MILLIS = 30_000;
    static final int CONNECT_TIMEOUT_MILLIS = 3_000;
    static final long UNKNOWN_ADDRESS_RETRY_MILLIS = 500;

    /** What the replica knows of its link (for status queries and metrics). */
    /**
     * What the replica knows of its link (for status queries and metrics).
     *
     * @param behindMillis how long this replica has lacked part of what its master last said it holds (0 when it
     *                     holds it all): its lag in time
     */
    public record Status(String masterAddress, boolean connected, long storedOffset, long masterOffset,
                         long lastHeardMillis, long lastAckSentMillis, long bytesPerSecond, String lastRefusal,
                         long behindMillis) {}

    private final ShippingServer.Identity identity;
    private final long brokerId;
    private final MessageStore store;
    private final Supplier<String> masterAddress;
    /** Controller mode: the epoch the controllers elected the master in; a master with older terms is refused. */
    private volatile long minMasterEpoch;
    private final Clock clock;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private volatile boolean closed;
    private long backoff = MIN_BACKOFF_MILLIS;
    // Written on the link's thread, read by status queries.
    private volatile Channel channel;
    private volatile String connectedTo;
    private volatile boolean following;
    private volatile long masterEnd = -1;
    private volatile long lastHeardMillis;
    private volatile String lastRefusal;
    private volatile long lastAckSentMillis;
    private volatile long bytesPerSecond;
    /** When this replica last held everything its master said it had (link thread writes). */
    private volatile long caughtUpMillis;
    private long rateWindowStartMillis;
    private long rateWindowBytes;

    /**
     * @param masterAddress the master's replication address ({@code host:port}), asked at every connection
     *                      attempt (configured, or learned from the name servers); null while unknown
     */
    public ReplicaLink(ShippingServer.Identity identity, long brokerId, MessageStore store, Supplier<String> masterAddress,
                       Clock clock) {
        this(identity, brokerId, store, masterAddress, clock, io.quiver.remoting.Transport.NIO);
    }

    /** As above, on {@code transport} (the broker's: native epoll where Linux has it). */
    public ReplicaLink(ShippingServer.Identity identity, long brokerId, MessageStore store, Supplier<String> masterAddress,
                       Clock clock, io.quiver.remoting.Transport transport) {
        this(identity, brokerId, store, masterAddress, clock, transport, null);
    }

    /** As above, over TLS with {@code tls} (a client context; null: plain text). */
    public ReplicaLink(ShippingServer.Identity identity, long brokerId, MessageStore store, Supplier<String> masterAddress,
                       Clock clock, io.quiver.remoting.Transport transport, io.netty.handler.ssl.SslContext tls) {
        this.identity = identity;
        this.brokerId = brokerId;
        this.store = store;
        this.masterAddress = masterAddress;
        this.clock = clock;
        this.caughtUpMillis = clock.millis();
        this.group = transport.group(1, new DefaultThreadFactory("quiver-replica", true));
        this.bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast("idle", new IdleStateHandler(ShippingServer.IDLE_CLOSE_SECONDS, 0, 0,
                        TimeUnit.SECONDS));
                    FrameHandlers.install(ch.pipeline());
                    ch.pipeline().addLast("link", new Follower());
                }
            });
    }

    /**
     * Controller mode: follow only a master whose newest term is at least {@code epoch} (the one the controllers
     * elected it in); a deposed master still running is refused and cannot cut this replica's log.
     */
    public ReplicaLink fenceBelow(long epoch) {
        this.minMasterEpoch = epoch;
        return this;
    }

    public void start() {
        group.execute(this::connect);
    }

    public Status status() {
        long stored = store.commitLogWritePosition();
        long me = masterEnd;
        long behind = me < 0 || stored >= me ? 0 : Math.max(0, clock.millis() - caughtUpMillis);
        return new Status(connectedTo, following, stored, me, lastHeardMillis, lastAckSentMillis, bytesPerSecond,
            lastRefusal, behind);
    }

    private void connect() {
        if (closed) {
            return;
        }
        String address = masterAddress.get();
        if (address == null || address.isBlank()) {
            retryIn(UNKNOWN_ADDRESS_RETRY_MILLIS); // not learned from the name servers yet
            return;
        }
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            log.error("the master's replication address '{}' is not host:port", address);
            retryIn(REFUSED_BACKOFF_MILLIS);
            return;
        }
        bootstrap.connect(address.substring(0, Math.max(0, colon)), port).addListener(f -> {
            if (f.isSuccess()) {
                connectedTo = address;
                return;
            }
            if (backoff >= MAX_BACKOFF_MILLIS) {
                log.warn("cannot reach the master's replication address {}: {}", address, f.cause().toString());
            }
            retryIn(backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        });
    }

    private void retryIn(long millis) {
        if (!closed) {
            group.schedule(this::connect, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Handles one connection's frames on the link's thread. */
    private final class Follower extends ChannelInboundHandlerAdapter {
        private boolean refused;
        /** This connection is past its Welcome; chunks of an earlier connection never touch it. */
        private boolean streaming;
        /** The end this connection's chunks reached (written, and forced when the replica forces). */
        private long storedEnd = -1;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.writeAndFlush(new Frame.Hello(Frame.VERSION, identity.cluster(), identity.brokerName(), brokerId,
                store.commitLogSegmentBytes(), store.maxMessageBytes(), store.commitLogWritePosition(),
                store.commitLogEmpty(), store.epochs()));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastHeardMillis = clock.millis();
            if (msg instanceof Frame.Welcome w) {
                welcome(ctx, w);
            } else if (msg instanceof Frame.Entries e && streaming) {
                store.appendReplicated(e.chunk(), ctx.channel().eventLoop()).whenComplete((end, failure) -> {
                    e.release(); // stored or refused: the writer is done with the bytes
                    if (!streaming) {
                        return; // this connection already ended; the next one resumes from the log's end
                    }
                    if (failure != null) {
                        log.warn("storing shipped entries at {} failed ({}); reconnecting to resume from the log's end",
                            e.chunk().from(), failure.getMessage());
                        ctx.close();
                    } else {
                        countStored(end - Math.max(storedEnd, e.chunk().from()));
                        if (end >= masterEnd) {
                            caughtUpMillis = clock.millis();
                        }
                        storedEnd = end;
                        lastAckSentMillis = clock.millis();
                        ctx.writeAndFlush(new Frame.Ack(end));
                    }
                });
            } else if (msg instanceof Frame.Heartbeat h && streaming) {
                masterEnd = h.masterEndOffset();
                if (storedEnd >= masterEnd) {
                    caughtUpMillis = clock.millis();
                }
                ctx.writeAndFlush(new Frame.Ack(storedEnd)); // keeps the connection alive; only what this one stored
            } else if (msg instanceof Frame.Refused r) {
                refused = true;
                lastRefusal = r.reason();
                log.error("the master at {} refuses this replica: {}", connectedTo, r.reason());
                ctx.close();
            } else {
                if (msg instanceof Frame.Entries e) {
                    e.release(); // before the Welcome, or after this connection stopped streaming
                }
                log.warn("unexpected {} from the master; reconnecting", msg.getClass().getSimpleName());
                ctx.close();
            }
        }

        private void welcome(ChannelHandlerContext ctx, Frame.Welcome w) {
            long least = minMasterEpoch;
            long masterEpoch = w.terms().isEmpty() ? 0 : w.terms().get(w.terms().size() - 1).epoch();
            if (least > 0 && masterEpoch < least) {
                lastRefusal = "the master at " + connectedTo + " is of epoch " + masterEpoch + ", older than epoch " + least
                    + " the controllers elected it in: a deposed master";
                log.warn("{}; not following it", lastRefusal);
                ctx.close();
                return;
            }
            long end = store.commitLogWritePosition();
            masterEnd = w.masterEndOffset();
            if (w.truncateTo() >= 0) {
                if (w.truncateTo() != w.startOffset() || w.truncateTo() >= end) {
                    log.error("the master asks to cut this replica's log back to {} and ship from {}, but the log ends at "
                        + "{}; reconnecting", w.truncateTo(), w.startOffset(), end);
                    ctx.close();
                    return;
                }
                log.warn("the master at {} does not have this replica's records from {} to {} (a term it lost); cutting "
                    + "them", connectedTo, w.truncateTo(), end);
                // Queued on the store's writer ahead of the first shipped entries; the master's terms are kept only
                // once the log is cut, so a crash before that cuts it again at the next connection.
                store.truncateReplicaLog(w.truncateTo()).whenCompleteAsync((v, failure) -> {
                    if (failure != null) {
                        log.error("cannot cut the replica's log back to {}: {}", w.truncateTo(), failure.getMessage());
                        ctx.close();
                    } else {
                        adoptTerms(ctx, w);
                    }
                }, ctx.channel().eventLoop());
            } else if (w.startOffset() != end) {
                if (!store.commitLogEmpty()) {
                    log.error("the master would ship from {} but this replica's log ends at {}; reconnecting",
                        w.startOffset(), end);
                    ctx.close();
                    return;
                }
                // Queued on the store's writer ahead of the first shipped entries.
                store.startEmptyLogAt(w.startOffset()).whenComplete((v, failure) -> {
                    if (failure != null) {
                        log.error("cannot start the replica's log at {}: {}", w.startOffset(), failure.getMessage());
                        ctx.close();
                    }
                });
                adoptTerms(ctx, w);
            } else {
                adoptTerms(ctx, w);
            }
            streaming = true;
            storedEnd = w.startOffset();
            following = true;
            backoff = MIN_BACKOFF_MILLIS;
            lastRefusal = null;
            log.info("following the master at {} from commit-log offset {} (its log ends at {})", connectedTo,
                w.startOffset(), w.masterEndOffset());
        }

        /** Keeps the master's terms: this replica's log is now a prefix of the master's. */
        private void adoptTerms(ChannelHandlerContext ctx, Frame.Welcome w) {
            try {
                store.adoptEpochs(w.terms());
            } catch (RuntimeException e) {
                log.error("cannot keep the master's terms ({}); reconnecting", e.getMessage());
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                log.warn("the master at {} sent nothing for {} s; reconnecting", connectedTo, ShippingServer.IDLE_CLOSE_SECONDS);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            streaming = false;
            if (following) {
                log.warn("lost the master at {} at offset {}; reconnecting", connectedTo, store.commitLogWritePosition());
            }
            following = false;
            channel = null;
            retryIn(refused ? REFUSED_BACKOFF_MILLIS : backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("replication connection to {} failed: {}", connectedTo, cause.toString());
            ctx.close();
        }
    }

    /** Link thread: bytes stored, for the transfer rate over the last whole second. */
    private void countStored(long bytes) {
        long now = clock.millis();
        if (now - rateWindowStartMillis >= 1_000) {
            bytesPerSecond = now - rateWindowStartMillis < 2_000 ? rateWindowBytes : 0;
            rateWindowStartMillis = now;
            rateWindowBytes = 0;
        }
        rateWindowBytes += Math.max(0, bytes);
    }

    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
