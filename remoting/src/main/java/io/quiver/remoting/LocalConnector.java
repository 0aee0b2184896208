package io.quiver.remoting;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quiver.protocol.RemotingCommand;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * In-process connections to a {@link RemotingServer} that {@link RemotingServer#listenLocally listens locally}:
 * a front end in the broker's own process (the gRPC endpoint) speaks remoting to the broker without sockets or
 * frame encoding. Each connection stands for one remote party, whose address the broker sees as the
 * connection's remote address ({@link LocalPeer}). Requests the broker sends back over a connection (a
 * transaction check, a consumer-list change) go to the handlers given here, inline on the connection's thread.
 */
public final class LocalConnector implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean owned;
    private final Bootstrap bootstrap;
    private final LocalAddress server;
    private final AtomicLong seq = new AtomicLong();

    public LocalConnector(String name, LocalAddress server, Map<Integer, RequestHandler> handlers, int threads,
                          Consumer<Channel> onClose) {
        this(name, server, handlers, new DefaultEventLoopGroup(threads, new DefaultThreadFactory(name + "-local", true)),
            true, onClose);
    }

    /**
     * Connections on {@code loops}; given the server's {@link RemotingServer#localLoop()}, both ends of each connection
     * share one thread and commands cross without a switch. {@code owned}: whether {@link #close} shuts them down.
     */
    public LocalConnector(String name, LocalAddress server, Map<Integer, RequestHandler> handlers, EventLoopGroup loops,
                          boolean owned, Consumer<Channel> onClose) {
        this.server = server;
        this.owned = owned;
        Map<Integer, Dispatcher.Registration> regs = new HashMap<>();
        handlers.forEach((code, h) -> regs.put(code, new Dispatcher.Registration(h, null)));
        Dispatcher dispatcher = new Dispatcher(name, Map.copyOf(regs), onClose);
        group = loops;
        bootstrap = new Bootstrap().group(group).channel(LocalChannel.class)
            .handler(new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel ch) {
                    ch.pipeline().addLast("body-copier", LocalBodyCopier.INSTANCE).addLast("dispatcher", dispatcher);
                }
            });
    }

    /** Opens a connection that stands for {@code peer}. */
    public CompletableFuture<Channel> connect(InetSocketAddress peer) {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        bootstrap.connect(server, LocalPeer.addressFor(peer, seq.incrementAndGet())).addListener(f -> {
            io.netty.channel.ChannelFuture cf = (io.netty.channel.ChannelFuture) f;
            if (cf.isSuccess()) {
                result.complete(cf.channel());
            } else {
                result.completeExceptionally(new RemotingException("cannot connect to " + server + ": "
                    + cf.cause().getMessage(), cf.cause()));
            }
        });
        return result;
    }

    /** Sends a two-way request over {@code channel}; completes with the response or fails. */
    public static CompletableFuture<RemotingCommand> invoke(Channel channel, RemotingCommand request, long timeoutMillis) {
        return Dispatcher.invoke(channel, request, timeoutMillis);
    }

    /** Sends a request that gets no answer. */
    public static void invokeOneway(Channel channel, RemotingCommand request) {
        request.markOneway();
        channel.writeAndFlush(request);
    }

    @Override
    public void close() {
        if (owned) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
