package io.quiver.remoting;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.quiver.protocol.RemotingCommand;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listening remoting endpoint. Register handlers, then {@link #start()}; registrations are frozen at
 * start. Also sends requests to connected clients ({@link #invoke}, {@link #invokeOneway}), which the
 * broker needs for notifications and transaction check-backs.
 */
public final class RemotingServer implements AutoCloseable {
    /** Connections idle for this long are closed, as official endpoints do (fact sheet §1.1). */
    public static final int IDLE_CLOSE_SECONDS = 120;
    /** Flushes merged into one write at most, so a long burst of replies still leaves in steps. */
    public static final int MAX_FLUSHES_CONSOLIDATED = 256;

    private final String name;
    private final String bindHost;
    private final int port;
    private final int maxFrameBytes;
    private final Map<Integer, Dispatcher.Registration> registrations = new HashMap<>();
    private final CopyOnWriteArrayList<Consumer<Channel>> closeListeners = new CopyOnWriteArrayList<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private Channel localServerChannel;
    private io.netty.channel.EventLoopGroup localLoop;
    private Dispatcher dispatcher;
    private RequestGuard guard;
    private Transport transport = Transport.choose(true);
    private io.quiver.remoting.tls.ServerTls tls;
    private final LimitedLog tlsRefusals = new LimitedLog();

    public RemotingServer(String name, String bindHost, int port, int maxFrameBytes) {
        this.name = name;
        this.bindHost = bindHost;
        this.port = port;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Registers {@code handler} for {@code code}; a null executor runs it on the event loop. */
    public void register(int code, RequestHandler handler, Executor executor) {
        if (serverChannel != null) {
            throw new IllegalStateException("handlers must be registered before start");
        }
        registrations.put(code, new Dispatcher.Registration(handler, executor));
    }

    /** Asks {@code g} about every request from a network connection before its handler; call before {@link #start}. */
    public RemotingServer guard(RequestGuard g) {
        if (serverChannel != null) {
            throw new IllegalStateException("the guard must be set before start");
        }
        this.guard = g;
        return this;
    }

    /**
     * Serves TLS as {@code t} says ({@code tls.server.mode}: plain text only, both on one port, or TLS only); call
     * before {@link #start}. Without it the port serves plain text and knows nothing of TLS.
     */
    public RemotingServer tls(io.quiver.remoting.tls.ServerTls t) {
        if (serverChannel != null) {
            throw new IllegalStateException("TLS must be set before start");
        }
        this.tls = t;
        return this;
    }

    /** Called on the event loop whenever a client connection closes. */
    public void onConnectionClosed(Consumer<Channel> listener) {
        closeListeners.add(listener);
    }

    /** The socket layer to use; {@link Transport#choose} by default. Call before {@link #start}. */
    public RemotingServer transport(Transport t) {
        if (serverChannel != null) {
            throw new IllegalStateException("the transport must be chosen before start");
        }
        this.transport = t;
        return this;
    }

    public Transport transport() {
        return transport;
    }

    public void start() {
        dispatcher = new Dispatcher(name, Map.copyOf(registrations),
            ch -> closeListeners.forEach(l -> l.accept(ch)), guard);
        boss = transport.group(1, new DefaultThreadFactory(name + "-accept", true));
        workers = transport.group(Math.max(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory(name + "-io", true));
        ServerBootstrap b = new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast("tls-sniffer", TlsSniffer.forRemoting(name, tls, maxFrameBytes, tlsRefusals));
                    }
                    ch.pipeline()
                        // Replies finished by the same store completion leave in one write, not one each.
                        .addLast("flush-consolidation", new FlushConsolidationHandler(MAX_FLUSHES_CONSOLIDATED, true))
                        .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
                        .addLast("frame-encoder", FrameEncoder.INSTANCE)
                        .addLast("idle", new IdleStateHandler(0, 0, IDLE_CLOSE_SECONDS, TimeUnit.SECONDS))
                        .addLast("dispatcher", dispatcher);
                }
            });
        try {
            serverChannel = b.bind(new InetSocketAddress(bindHost, port)).sync().channel();
        } catch (Exception e) {
            close();
            throw new RemotingException(name + " cannot listen on " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Also accepts in-process connections ({@link LocalConnector}) at a local address named {@code id}, served by
     * the same handlers on one event loop of their own ({@link #localLoop()}): a connector whose connections run on
     * that loop too hands commands across without a thread switch. Commands cross such a connection as objects: no
     * frames are encoded or decoded and bodies lent by the store are copied once. Call after {@link #start}.
     */
    public io.netty.channel.local.LocalAddress listenLocally(String id) {
        if (dispatcher == null) {
            throw new IllegalStateException("start the server before listening locally");
        }
        io.netty.channel.local.LocalAddress address = new io.netty.channel.local.LocalAddress(id);
        localLoop = new io.netty.channel.DefaultEventLoopGroup(1, new DefaultThreadFactory(name + "-local", true));
        ServerBootstrap b = new ServerBootstrap()
            .group(localLoop, localLoop)
            .channel(io.netty.channel.local.LocalServerChannel.class)
            .childHandler(new ChannelInitializer<io.netty.channel.local.LocalChannel>() {
                @Override
                protected void initChannel(io.netty.channel.local.LocalChannel ch) {
                    ch.pipeline()
                        .addLast("body-copier", LocalBodyCopier.INSTANCE)
                        .addLast("dispatcher", dispatcher);
                }
            });
        try {
            localServerChannel = b.bind(address).sync().channel();
        } catch (Exception e) {
            throw new RemotingException(name + " cannot listen locally as " + id + ": " + e.getMessage(), e);
        }
        return address;
    }

    /** The event loop of the in-process connections, or null before {@link #listenLocally}. */
    public io.netty.channel.EventLoopGroup localLoop() {
        return localLoop;
    }

    /** Requests received with the binary ("ROCKETMQ") header since start. */
    public long binaryRequestCount() {
        return dispatcher == null ? 0 : dispatcher.binaryRequests();
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public CompletableFuture<RemotingCommand> invoke(Channel channel, RemotingCommand request, long timeoutMillis) {
        return Dispatcher.invoke(channel, request, timeoutMillis);
    }

    public void invokeOneway(Channel channel, RemotingCommand request) {
        request.markOneway();
        channel.writeAndFlush(request);
    }

    @Override
    public void close() {
        if (localServerChannel != null) {
            localServerChannel.close().syncUninterruptibly();
        }
        if (localLoop != null) {
            localLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        Transport.stopListening(serverChannel, boss, workers);
    }
}
