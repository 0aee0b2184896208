package io.quiver.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.List;

/**
 * TLS and plain text on one port, as RocketMQ's proxy serves them (the Java SDK connects with TLS by default, the
 * Node.js SDK without): the first five bytes of a connection tell a TLS record from an HTTP/2 preface, and the
 * matching gRPC handler takes over from there. With a null context every connection is plain text. The context may
 * still be in the making (a certificate generated at start): a TLS connection that comes first waits for it without
 * holding its event loop.
 */
final class TlsOrPlaintext implements InternalProtocolNegotiator.ProtocolNegotiator {
    /** Bytes needed to tell a TLS record header from anything else. */
    static final int SNIFF_BYTES = 5;

    private final java.util.concurrent.CompletableFuture<SslContext> ssl;
    /** Plain-text connections are closed (tls.server.mode=enforcing). */
    private final boolean tlsOnly;

    TlsOrPlaintext(java.util.concurrent.CompletableFuture<SslContext> ssl, boolean tlsOnly) {
        this.ssl = ssl;
        this.tlsOnly = tlsOnly;
    }

    @Override
    public AsciiString scheme() {
        return AsciiString.of(ssl != null ? "https" : "http");
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new Sniffer(grpcHandler);
    }

    @Override
    public void close() {
    }

    private final class Sniffer extends ByteToMessageDecoder {
        private final GrpcHttp2ConnectionHandler grpcHandler;
        private ProtocolNegotiationEvent event = InternalProtocolNegotiationEvent.getDefault();
        private boolean decided;

        Sniffer(GrpcHttp2ConnectionHandler grpcHandler) {
            this.grpcHandler = grpcHandler;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (decided || in.readableBytes() < SNIFF_BYTES) {
                return;
            }
            decided = true;
            boolean tls = ssl != null && SslHandler.isEncrypted(in, false);
            if (!tls && tlsOnly) {
                in.skipBytes(in.readableBytes());
                ctx.close(); // an SDK without TLS gets UNAVAILABLE
            } else if (!tls) {
                hand(ctx, InternalProtocolNegotiators.serverPlaintext().newHandler(grpcHandler));
            } else if (ssl.isDone() && !ssl.isCompletedExceptionally()) {
                hand(ctx, InternalProtocolNegotiators.serverTls(ssl.join()).newHandler(grpcHandler));
            } else {
                ctx.channel().config().setAutoRead(false);
                ssl.whenComplete((context, e) -> ctx.executor().execute(() -> {
                    ctx.channel().config().setAutoRead(true);
                    if (e != null) {
                        ctx.close(); // no certificate: the failure was logged at start
                    } else {
                        hand(ctx, InternalProtocolNegotiators.serverTls(context).newHandler(grpcHandler));
                    }
                }));
            }
        }

        /** Puts {@code next} in this handler's place; the bytes read so far go on to it. */
        private void hand(ChannelHandlerContext ctx, ChannelHandler next) {
            ctx.pipeline().addAfter(ctx.name(), null, next);
            ctx.fireUserEventTriggered(event);
            ctx.pipeline().remove(this);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof ProtocolNegotiationEvent e) {
                event = e; // held back until the protocol is known, then passed to the handler chosen
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }
}
