package io.quiver.remoting;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Outbound connections to other Quiver or RocketMQ endpoints (the broker's link to name servers, the
 * CLI's admin calls). One cached connection per address, re-opened when it dies. Thread-safe.
 */
public final class RemotingClient implements AutoCloseable {
    public static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<String, ChannelFuture> channels = new ConcurrentHashMap<>();

    public RemotingClient(String name) {
        this(name, null);
    }

    /** Connections that use TLS with {@code tls} (a client context), or plain text when it is null. */
    public RemotingClient(String name, io.netty.handler.ssl.SslContext tls) {
        group = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-client", true));
        Dispatcher dispatcher = new Dispatcher(name, Map.of(), ch -> { });
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new FrameDecoder(RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES))
                        .addLast(FrameEncoder.INSTANCE)
                        .addLast(dispatcher);
                }
            });
    }

    /** With ACL: the account every request is signed as, and its signer; null: unsigned. */
    private volatile String accessKey;
    private volatile io.quiver.protocol.acl.AclSignature.Signer signer;

    /** Signs every request from now on as {@code accessKey} with {@code secretKey} (RocketMQ's ACL 1.0 signature). */
    public RemotingClient signAs(String accessKey, String secretKey) {
        this.signer = io.quiver.protocol.acl.AclSignature.Signer.of(secretKey);
        this.accessKey = accessKey;
        return this;
    }

    private RemotingCommand signed(RemotingCommand request) {
        io.quiver.protocol.acl.AclSignature.Signer s = signer;
        if (s != null) {
            s.signRequest(request, accessKey);
        }
        return request;
    }

    /** Sends a two-way request to {@code address} ({@code host:port}). */
    public CompletableFuture<RemotingCommand> invoke(String address, RemotingCommand request, long timeoutMillis) {
        signed(request);
        return channel(address).thenCompose(ch -> Dispatcher.invoke(ch, request, timeoutMillis));
    }

    /** Sends a request that gets no answer; completes when written. */
    public CompletableFuture<Void> invokeOneway(String address, RemotingCommand request) {
        request.markOneway();
        signed(request);
        return channel(address).thenCompose(ch -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ch.writeAndFlush(request).addListener(w -> {
                if (w.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(new RemotingException("sending to " + address + " failed", w.cause()));
                }
            });
            return done;
        });
    }

    private CompletableFuture<Channel> channel(String address) {
        ChannelFuture cf = channels.compute(address, (a, existing) -> {
            if (existing != null && (!existing.isDone() || (existing.isSuccess() && existing.channel().isActive()))) {
                return existing;
            }
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address must be host:port, got '" + a + "'");
            }
            return bootstrap.connect(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
        });
        CompletableFuture<Channel> result = new CompletableFuture<>();
        cf.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(cf.channel());
            } else {
                channels.remove(address, cf);
                result.completeExceptionally(new RemotingException("cannot connect to " + address + ": "
                    + f.cause().getMessage(), f.cause()));
            }
        });
        return result;
    }

    /** Closes the connection to {@code address}, if any. */
    public void disconnect(String address) {
        ChannelFuture cf = channels.remove(address);
        if (cf != null) {
            cf.channel().close();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(cf -> cf.channel().close());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
