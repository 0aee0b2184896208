package io.quiver.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC server's event loops, owned by the endpoint rather than grpc-java, so that a call's answer can be built
 * on the loop that serves its connection: a call runs there (the server's executor is direct), and work it hands to
 * the broker comes back there with {@link #current}, rather than through a third thread.
 */
final class CallLoops implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelType;

    /** @param threads worker loops (connections are spread over them) */
    CallLoops(int threads) {
        boolean epoll = Epoll.isAvailable();
        boss = new MultiThreadIoEventLoopGroup(1, named("quiver-grpc-accept"),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(threads, named("quiver-grpc"),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    NettyServerBuilder configure(NettyServerBuilder b) {
        return b.bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(channelType);
    }

    /** The loop the calling thread runs, or {@code otherwise} when it runs none of these. */
    Executor current(Executor otherwise) {
        for (EventExecutor loop : workers) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return otherwise;
    }

    @Override
    public void close() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
