package io.quiver.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.quiver.protocol.RemotingCommand;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One received request and the connection it came in on. {@link #reply} may be called from any thread,
 * once; later calls and replies to oneway requests are dropped.
 */
public final class RequestContext {
    private final Channel channel;
    private final RemotingCommand request;
    private final AtomicBoolean replied = new AtomicBoolean();

    RequestContext(Channel channel, RemotingCommand request) {
        this.channel = channel;
        this.request = request;
    }

    public Channel channel() {
        return channel;
    }

    public RemotingCommand request() {
        return request;
    }

    /** Whether the client's connection is still open (a reply to a closed one goes nowhere). */
    public boolean isConnected() {
        return channel.isActive();
    }

    /** The client's address; for an in-process connection, the address of the party it stands for. */
    public InetSocketAddress remoteAddress() {
        InetSocketAddress a = LocalPeer.remoteOf(channel);
        return a != null ? a : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * The connection's own thread (its event loop), where work that finishes a request elsewhere (a store
     * completion, a flush) goes back to, so replies are written by the connection's owner.
     */
    public java.util.concurrent.Executor executor() {
        return channel.eventLoop();
    }

    /** The address the request came in at; null for an in-process connection. */
    public InetSocketAddress localAddress() {
        return channel.localAddress() instanceof InetSocketAddress a ? a : null;
    }

    /** A response shell for this request with the given code and remark. */
    public RemotingCommand response(int code, String remark) {
        return RemotingCommand.responseTo(request, code, remark);
    }

    /** Sends {@code response} unless the request was oneway or already answered. */
    public void reply(RemotingCommand response) {
        reply(response, null);
    }

    /**
     * Sends {@code response} unless the request was oneway or already answered, then runs {@code afterWrite}
     * (if not null) once the response has left (or failed to leave): whoever lent the body's bytes gets them
     * back there. Runs it at once when nothing is sent.
     */
    public void reply(RemotingCommand response, Runnable afterWrite) {
        if (request.isOneway() || !replied.compareAndSet(false, true)) {
            if (response.bodyBuf() != null) {
                response.bodyBuf().release();
            }
            if (afterWrite != null) {
                afterWrite.run();
            }
            return;
        }
        response.opaque(request.opaque());
        response.flag(response.flag() | RemotingCommand.FLAG_RESPONSE);
        response.serializeType(request.serializeType());
        io.netty.channel.ChannelFuture f = channel.writeAndFlush(response);
        f.addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        if (afterWrite != null) {
            f.addListener(done -> afterWrite.run());
        }
    }

    public void reply(int code, String remark) {
        reply(response(code, remark));
    }

    public boolean isReplied() {
        return replied.get();
    }
}
