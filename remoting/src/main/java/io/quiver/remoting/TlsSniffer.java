package io.quiver.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.tls.ServerTls;
import io.quiver.remoting.tls.TlsMode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a connection to a listener with TLS: its first byte tells a TLS handshake (0x16, a TLS record of
 * type handshake) from a remoting frame (whose length would have to exceed the largest frame to start so). A TLS
 * connection gets an {@link SslHandler} in this handler's place; a plain one goes straight on. What the mode does
 * not allow is refused with a log line (at most one a second): a plain-text client of an enforcing port gets each
 * request answered with SYSTEM_ERROR and a remark that says to turn TLS on (the connection closes after a few dozen,
 * or when idle); a TLS
 * handshake at a plain-text port is closed at once (no TLS answer can be given without TLS).
 */
public final class TlsSniffer extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(TlsSniffer.class);
    /** The first byte of a TLS record that carries a handshake. */
    static final int TLS_HANDSHAKE = 0x16;

    /** Requests a refused plain-text connection gets answered before it is closed. */
    static final int MAX_REFUSED_REQUESTS = 64;

    static final String ENFORCING_REMARK = "this port accepts TLS connections only (tls.server.mode=enforcing): "
        + "connect with TLS (-Dtls.enable=true, or setUseTLS(true) on the client)";

    private final String endpoint;
    private final ServerTls tls;
    /** Takes over a plain-text connection an enforcing port refuses, or null to close it at once. */
    private final java.util.function.Consumer<ChannelHandlerContext> plainTextRefusal;
    private final LimitedLog refusals;

    private TlsSniffer(String endpoint, ServerTls tls, java.util.function.Consumer<ChannelHandlerContext> plainTextRefusal,
                       LimitedLog refusals) {
        this.endpoint = endpoint;
        this.tls = tls;
        this.plainTextRefusal = plainTextRefusal;
        this.refusals = refusals;
    }

    /** For a remoting port: a refused plain-text client gets each request answered with the reason. */
    static TlsSniffer forRemoting(String endpoint, ServerTls tls, int maxFrameBytes, LimitedLog refusals) {
        TlsSniffer[] self = new TlsSniffer[1];
        self[0] = new TlsSniffer(endpoint, tls, ctx -> ctx.pipeline()
            // The refuser passes nothing on: the handlers after it never see a request (the idle handler still
            // closes a connection that never completes one).
            .addAfter(ctx.name(), "refuse-plain", new PlainTextRefuser(self[0]))
            .addAfter(ctx.name(), "refuse-encoder", FrameEncoder.INSTANCE)
            .addAfter(ctx.name(), "refuse-decoder", new FrameDecoder(maxFrameBytes)), refusals);
        return self[0];
    }

    /**
     * For a port of another protocol (replication): a refused plain-text connection is closed. One {@code refusals}
     * per port limits its log lines.
     */
    public static TlsSniffer closingPlainText(String endpoint, ServerTls tls, LimitedLog refusals) {
        return new TlsSniffer(endpoint, tls, null, refusals);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        boolean handshake = in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE;
        TlsMode mode = tls.mode();
        if (handshake && mode == TlsMode.DISABLED) {
            refused(ctx, "a TLS handshake reached a plain-text port (tls.server.mode=disabled); closed");
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (!handshake && mode == TlsMode.ENFORCING) {
            refused(ctx, "a plain-text client reached a TLS-only port (tls.server.mode=enforcing); "
                + (plainTextRefusal != null ? "its requests are answered with the reason" : "closed"));
            if (plainTextRefusal == null) {
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            plainTextRefusal.accept(ctx);
            ctx.pipeline().remove(this); // the bytes read so far go on to the refuser's decoder
            return;
        }
        if (!handshake) {
            ctx.pipeline().remove(this);
            return;
        }
        CompletableFuture<SslContext> context = tls.context();
        if (context.isDone() && !context.isCompletedExceptionally()) {
            startTls(ctx, context.join());
            return;
        }
        ctx.channel().config().setAutoRead(false); // the self-signed certificate is still being made
        context.whenComplete((c, e) -> ctx.executor().execute(() -> {
            if (e != null) {
                ctx.close(); // the failure was logged when it happened
            } else {
                ctx.channel().config().setAutoRead(true);
                startTls(ctx, c);
            }
        }));
    }

    private void startTls(ChannelHandlerContext ctx, SslContext context) {
        ctx.pipeline().addAfter(ctx.name(), "tls", context.newHandler(ctx.alloc()))
            .addAfter("tls", "tls-failures", new HandshakeFailureLog());
        ctx.pipeline().remove(this);
    }

    private void refused(ChannelHandlerContext ctx, String what) {
        if (refusals.admit()) {
            log.warn("{}: {} from {}{}", endpoint, what, ctx.channel().remoteAddress(),
                refusals.leftOutSuffix("refused connections"));
        }
    }

    /** Logs (limited) a TLS handshake that failed: bad or expired certificate, no client certificate, not TLS. */
    private final class HandshakeFailureLog extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (!done.isSuccess()) {
                    refused(ctx, "TLS handshake failed: " + done.cause().getMessage());
                }
                ctx.pipeline().remove(this);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // the handshake failure itself: reported by the completion event above; the connection closes
            ctx.close();
        }
    }

    /**
     * Answers each request of a refused plain-text connection with the reason (a client that goes on using the
     * connection gets the reason every time, not a broken connection), and closes it after
     * {@link #MAX_REFUSED_REQUESTS} of them; the idle handler closes it if it goes quiet.
     */
    private static final class PlainTextRefuser extends ChannelInboundHandlerAdapter {
        private final TlsSniffer sniffer;
        private int answered;

        PlainTextRefuser(TlsSniffer sniffer) {
            this.sniffer = sniffer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof RemotingCommand request) || request.isResponse()) {
                ctx.close();
                return;
            }
            if (answered > 0) { // the first was logged when the connection was refused
                sniffer.refused(ctx, "a plain-text client reached a TLS-only port (tls.server.mode=enforcing); request "
                    + "code " + request.code() + " answered with the reason");
            }
            RemotingCommand reply = RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, ENFORCING_REMARK);
            if (++answered >= MAX_REFUSED_REQUESTS) {
                ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(reply);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // an undecodable frame: nothing to answer
        }
    }
}
