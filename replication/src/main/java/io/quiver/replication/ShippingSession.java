package io.quiver.replication;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.quiver.store.EpochHistory;
import io.quiver.store.LogChunk;
import io.quiver.store.MessageStore;
import io.quiver.store.StoreException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's side of one replica connection. Everything here runs on the connection's event loop: it
 * checks the replica's {@link Frame.Hello}, then ships whole commit-log entries from where the replica's log
 * ends, keeping at most {@link ShippingServer#MAX_IN_FLIGHT_BYTES} shipped but not acknowledged, and resumes
 * when the replica acknowledges, when the socket drains, or when the store publishes new records
 * ({@link #wake}, any thread).
 */
final class ShippingSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ShippingSession.class);

    private final ShippingServer server;
    private final MessageStore store;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile boolean shipping;
    private long shippedEnd;
    // Read by status queries on other threads.
    private volatile long brokerId = -1;
    private volatile long ackedEnd = -1;
    private volatile long lastAckMillis;
    private volatile long startOffset = -1;
    private volatile long bytesPerSecond;
    private long ackedAtLastTick = -1;

    ShippingSession(ShippingServer server, MessageStore store) {
        this.server = server;
        this.store = store;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame.Hello h && !shipping) {
            hello(ctx, h);
        } else if (msg instanceof Frame.Ack a && shipping) {
            if (a.endOffset() > shippedEnd) {
                refuse(ctx, "acknowledged offset " + a.endOffset() + " beyond what was shipped (" + shippedEnd + ")");
                return;
            }
            ackedEnd = Math.max(ackedEnd, a.endOffset());
            lastAckMillis = server.clock().millis();
            server.acknowledged();
            pump();
        } else {
            refuse(ctx, "unexpected " + msg.getClass().getSimpleName() + (shipping ? " while shipping" : " before Hello"));
        }
    }

    private void hello(ChannelHandlerContext ctx, Frame.Hello h) {
        String refusal = server.check(h);
        long masterMin = store.commitLogMinOffset();
        long masterEnd = store.commitLogWritePosition();
        List<EpochHistory.Entry> terms = store.epochs();
        long start = h.endOffset();
        long truncateTo = -1;
        if (refusal == null) {
            if (h.emptyLog()) {
                start = masterMin;
            } else if (!h.terms().isEmpty()) {
                long common = EpochHistory.commonEnd(terms, masterEnd, h.terms(), h.endOffset());
                EpochHistory.Entry newest = h.terms().get(h.terms().size() - 1);
                if (common < 0) {
                    refusal = "the replica's log shares no master term with this master's (the replica's newest is term "
                        + newest.epoch() + " from offset " + newest.startOffset() + "; this master's newest is "
                        + describe(terms) + "): another master wrote it. Move the replica's data directory away to copy "
                        + "this master afresh";
                } else if (common < masterMin) {
                    refusal = "the replica's log agrees with this master's only up to " + common + ", before this master's "
                        + "oldest segment (" + masterMin + "). Move the replica's data directory away to copy the master "
                        + "afresh";
                } else {
                    start = common;
                    if (common < h.endOffset()) {
                        truncateTo = common;
                        log.warn("replica brokerId {} holds [{}, {}), records of a term this master does not have (it lost "
                            + "them, or never wrote them); the replica cuts them and follows from {}", h.brokerId(), common,
                            h.endOffset(), common);
                    }
                    if (start < masterEnd && !entryStartsAt(start)) {
                        refusal = "the replica would follow from " + start + ", where no record starts in this master's log";
                    }
                }
            } else if (h.endOffset() > masterEnd) {
                refusal = "the replica's log ends at " + h.endOffset() + ", beyond this master's end " + masterEnd
                    + ", and it lists no master terms to find where the two logs part. Move the replica's data directory "
                    + "away to copy the master afresh";
            } else if (h.endOffset() < masterMin) {
                refusal = "the replica's log ends at " + h.endOffset() + ", before this master's oldest segment ("
                    + masterMin + ", older ones were deleted by retention). Move the replica's data directory away to "
                    + "copy the master afresh";
            } else if (h.endOffset() < masterEnd && !entryStartsAt(h.endOffset())) {
                refusal = "the replica's log ends at " + h.endOffset() + ", where no record starts in this master's "
                    + "log: the two logs diverged. Move the replica's data directory away to copy the master afresh";
            }
        }
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        brokerId = h.brokerId();
        shipping = true;
        shippedEnd = start;
        ackedEnd = start;
        startOffset = start;
        ackedAtLastTick = start;
        lastAckMillis = server.clock().millis();
        log.info("replica brokerId {} at {} follows from commit-log offset {} (master log [{}, {}))", h.brokerId(),
            ctx.channel().remoteAddress(), start, masterMin, masterEnd);
        ctx.writeAndFlush(new Frame.Welcome(start, masterMin, masterEnd, truncateTo, terms));
        server.registered(this);
        pump();
    }

    private static String describe(List<EpochHistory.Entry> terms) {
        if (terms.isEmpty()) {
            return "none";
        }
        EpochHistory.Entry e = terms.get(terms.size() - 1);
        return "term " + e.epoch() + " from offset " + e.startOffset();
    }

    private boolean entryStartsAt(long offset) {
        try {
            return store.readEntries(offset, 1).kind() != LogChunk.Kind.NOTHING_NEW; // a record, a marker, or a gap
        } catch (StoreException e) {
            return false;
        }
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        log.warn("replica at {} refused: {}", ctx.channel().remoteAddress(), reason);
        shipping = false;
        ctx.writeAndFlush(new Frame.Refused(reason)).addListener(f -> ctx.close());
    }

    /** Any thread: new records may be readable. */
    void wake() {
        Channel ch = channel;
        if (ch != null && shipping && pumpScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(this::pump);
        }
    }

    /** Ships what fits the in-flight bound and the socket's buffer. Event loop only. */
    private void pump() {
        pumpScheduled.set(false);
        if (!shipping || !channel.isActive()) {
            return;
        }
        boolean wrote = false;
        try {
            while (channel.isWritable() && shippedEnd - ackedEnd < ShippingServer.MAX_IN_FLIGHT_BYTES) {
                LogChunk chunk = store.readEntries(shippedEnd, ShippingServer.CHUNK_BYTES);
                if (chunk.kind() == LogChunk.Kind.NOTHING_NEW) {
                    break;
                }
                channel.write(new Frame.Entries(chunk));
                shippedEnd = chunk.next();
                wrote = true;
            }
        } catch (StoreException e) {
            log.error("shipping to replica brokerId {} stopped at offset {}: {}", brokerId, shippedEnd, e.getMessage());
            channel.close();
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Event loop, every second: a heartbeat and the transfer rate. */
    void tick() {
        if (!shipping || !channel.isActive()) {
            return;
        }
        long now = server.clock().millis();
        bytesPerSecond = Math.max(0, ackedEnd - ackedAtLastTick) * 1000 / ShippingServer.HEARTBEAT_MILLIS;
        ackedAtLastTick = ackedEnd;
        // Every second, shipping or not: the replica learns the master's end (its lag) and that it lives.
        channel.writeAndFlush(new Frame.Heartbeat(store.commitLogWritePosition(), now));
        pump();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.warn("replica brokerId {} at {} sent nothing for {} s; closing its connection", brokerId,
                ctx.channel().remoteAddress(), ShippingServer.IDLE_CLOSE_SECONDS);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (shipping) {
            log.warn("replica brokerId {} at {} disconnected (acknowledged up to {})", brokerId,
                ctx.channel().remoteAddress(), ackedEnd);
        }
        shipping = false;
        server.unregistered(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("replica connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Closes this connection and stops shipping on it. Any thread. */
    void close() {
        shipping = false;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    long brokerId() {
        return brokerId;
    }

    long ackedEnd() {
        return ackedEnd;
    }

    long startOffset() {
        return startOffset;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    long lastAckMillis() {
        return lastAckMillis;
    }

    String remoteAddress() {
        Channel ch = channel;
        return ch == null ? "?" : String.valueOf(ch.remoteAddress()).replaceFirst("^/", "");
    }
}
