package io.quiver.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes decoded commands: responses complete the matching pending call of their connection; requests go
 * to the handler registered for their code, on that handler's executor (or inline on the event loop).
 * Unknown codes get REQUEST_CODE_NOT_SUPPORTED; a full executor gets SYSTEM_BUSY; a frame that cannot be
 * decoded closes the connection after one log line. Shared by all channels of one endpoint.
 */
@ChannelHandler.Sharable
final class Dispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final AttributeKey<PendingCalls> PENDING = AttributeKey.valueOf("quiver.pending");

    /** A handler and where it runs; a null executor means inline on the connection's event loop. */
    record Registration(RequestHandler handler, Executor executor) {}

    private final String endpoint;
    private final Map<Integer, Registration> registrations;
    private final Consumer<Channel> onClose;
    private final java.util.concurrent.atomic.LongAdder binaryRequests = new java.util.concurrent.atomic.LongAdder();

    private final RequestGuard guard;
    private final LimitedLog refusalLog = new LimitedLog();

    Dispatcher(String endpoint, Map<Integer, Registration> registrations, Consumer<Channel> onClose) {
        this(endpoint, registrations, onClose, null);
    }

    Dispatcher(String endpoint, Map<Integer, Registration> registrations, Consumer<Channel> onClose, RequestGuard guard) {
        this.endpoint = endpoint;
        this.registrations = registrations;
        this.onClose = onClose;
        this.guard = guard;
    }

    /** The guard's refusal of {@code rc}'s request, answered and logged; false when it may be served. */
    private boolean refused(RequestContext rc) {
        if (guard == null || rc.channel() instanceof io.netty.channel.local.LocalChannel) {
            return false;
        }
        String why;
        try {
            why = guard.refusal(rc.request(), rc.remoteAddress());
        } catch (RuntimeException e) {
            why = "the request could not be checked: " + e.getMessage();
        }
        if (why == null) {
            return false;
        }
        if (refusalLog.admit()) {
            log.warn("{}: refused request code {} from {}: {}{}", endpoint, rc.request().code(), rc.remoteAddress(), why,
                refusalLog.leftOutSuffix("refusals"));
        }
        rc.reply(ResponseCode.NO_PERMISSION, why);
        return true;
    }

    static PendingCalls pendingCalls(Channel channel) {
        PendingCalls p = channel.attr(PENDING).get();
        if (p == null) {
            PendingCalls created = new PendingCalls();
            p = channel.attr(PENDING).setIfAbsent(created);
            if (p == null) {
                p = created;
            }
        }
        return p;
    }

    /** Sends a two-way request over {@code channel}; completes with the response or fails. */
    static CompletableFuture<RemotingCommand> invoke(Channel channel, RemotingCommand request, long timeoutMillis) {
        CompletableFuture<RemotingCommand> f = pendingCalls(channel).register(request.opaque(), timeoutMillis);
        channel.writeAndFlush(request).addListener(w -> {
            if (!w.isSuccess()) {
                pendingCalls(channel).fail(request.opaque(),
                    new RemotingException("sending to " + channel.remoteAddress() + " failed", w.cause()));
            }
        });
        return f;
    }

    long binaryRequests() {
        return binaryRequests.sum();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RemotingCommand cmd = (RemotingCommand) msg;
        if (cmd.isResponse()) {
            if (!pendingCalls(ctx.channel()).complete(cmd)) {
                log.debug("{}: dropped a response with unknown opaque {} from {}", endpoint, cmd.opaque(),
                    ctx.channel().remoteAddress());
            }
            return;
        }
        if (cmd.serializeType() == io.quiver.protocol.SerializeType.ROCKETMQ) {
            binaryRequests.increment();
        }
        RequestContext rc = new RequestContext(ctx.channel(), cmd);
        if (refused(rc)) {
            return;
        }
        Registration reg = registrations.get(cmd.code());
        if (reg == null) {
            rc.reply(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, " request type " + cmd.code() + " not supported");
            return;
        }
        if (reg.executor() == null) {
            run(reg.handler(), rc);
            return;
        }
        try {
            reg.executor().execute(() -> run(reg.handler(), rc));
        } catch (RejectedExecutionException e) {
            rc.reply(ResponseCode.SYSTEM_BUSY, "[OVERLOAD] the broker is busy; request code " + cmd.code()
                + " was refused because its queue is full, try again shortly");
        }
    }

    private void run(RequestHandler handler, RequestContext rc) {
        try {
            handler.handle(rc, rc.request());
        } catch (ProtocolException e) {
            log.debug("{}: bad request code {} from {}: {}", endpoint, rc.request().code(), rc.remoteAddress(),
                e.getMessage());
            rc.reply(ResponseCode.SYSTEM_ERROR, e.getMessage());
        } catch (Exception e) {
            log.error("{}: handler for request code {} failed", endpoint, rc.request().code(), e);
            rc.reply(ResponseCode.SYSTEM_ERROR, "internal error handling request code " + rc.request().code()
                + ": " + e);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.info("{}: closing idle connection {}", endpoint, ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        PendingCalls p = ctx.channel().attr(PENDING).get();
        if (p != null) {
            p.failAll(new RemotingException("connection to " + ctx.channel().remoteAddress() + " closed"));
        }
        onClose.accept(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            Throwable reason = cause.getCause() != null ? cause.getCause() : cause;
            log.warn("{}: closing connection {}: undecodable frame: {}", endpoint, ctx.channel().remoteAddress(),
                reason.getMessage());
        } else {
            log.debug("{}: closing connection {}: {}", endpoint, ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
