package io.quiver.remoting;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The socket layer a server's event loops run on: Netty's native epoll transport where the platform has
 * it (Linux on x86_64 and aarch64: fewer system calls and no selector garbage), else the JDK's NIO.
 */
public enum Transport {
    EPOLL, NIO;

    /** Epoll when {@code preferNative} and the native library loads here, else NIO. */
    public static Transport choose(boolean preferNative) {
        return preferNative && Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why the native transport cannot be used here, or null when it can. */
    public static String nativeUnavailableReason() {
        Throwable t = Epoll.unavailabilityCause();
        return t == null ? null : t.toString();
    }

    public EventLoopGroup group(int threads, ThreadFactory threadFactory) {
        return this == EPOLL ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }

    /**
     * Closes a listening channel, then shuts its event-loop groups down and waits (at most about 2 s each);
     * null arguments are skipped.
     */
    public static void stopListening(io.netty.channel.Channel serverChannel, EventLoopGroup... groups) {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (EventLoopGroup g : groups) {
            if (g != null) {
                g.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    /** The client-side channel class of this transport. */
    public Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return this == EPOLL ? io.netty.channel.epoll.EpollSocketChannel.class
            : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
