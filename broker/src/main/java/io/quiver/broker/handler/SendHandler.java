package io.quiver.broker.handler;

import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.send.Refusal;
import io.quiver.broker.send.Route;
import io.quiver.broker.send.SendObserver;
import io.quiver.broker.send.SendRequest;
import io.quiver.broker.send.SendRouter;
import io.quiver.broker.send.SendValidator;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageId;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.broker.send.SendOutcome;
import io.quiver.store.PutResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (fact sheet §5), as a pipeline with one step per
 * concern: decode ({@link SendRequest}) → validate ({@link SendValidator}) → route ({@link SendRouter}) →
 * append (the store's writer thread; durable before the answer in SYNC_FLUSH) → reply. The gRPC endpoint enters
 * at {@link #send} with a request it decoded itself. Runs on the
 * connection's event loop; the store completes the append back on that same event loop, which writes the
 * reply. No disk I/O happens on this thread.
 */
public final class SendHandler implements RequestHandler {
    private final SendValidator validator;
    private final SendRouter router;
    private final MessageAppender appender;
    private final SendObserver observer;
    private final byte[] storeHost;
    private final int storePort;

    public SendHandler(SendValidator validator, SendRouter router, MessageAppender appender, SendObserver observer,
                       byte[] storeHost, int storePort) {
        this.validator = validator;
        this.router = router;
        this.appender = appender;
        this.observer = observer;
        this.storeHost = storeHost;
        this.storePort = storePort;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        SendRequest r = SendRequest.decode(req, ctx.remoteAddress());
        send(r, ctx.executor()).whenComplete((o, e) -> ctx.reply(e != null
            ? ctx.response(ResponseCode.SYSTEM_ERROR, "storing the message failed: " + e) : response(ctx, o)));
    }

    /**
     * Validates, routes and stores one decoded send; the outcome is completed on {@code completeOn} (the remoting
     * connection's event loop, or the gRPC endpoint's). Never completes exceptionally for a refusal: that is an outcome.
     */
    public CompletableFuture<SendOutcome> send(SendRequest r, Executor completeOn) {
        long startNanos = System.nanoTime();
        observer.arrived();
        Refusal refusal = validator.check(r);
        if (refusal != null) {
            return CompletableFuture.completedFuture(SendOutcome.refused(refusal.code(), refusal.remark()));
        }
        Route route = router.route(r);
        if (route instanceof Route.Refused no) {
            return CompletableFuture.completedFuture(SendOutcome.refused(no.refusal().code(), no.refusal().remark()));
        }
        Route.Store store = (Route.Store) route;
        CompletableFuture<PutResult> appended = appender.append(store.drafts(), store.waitDurable(), completeOn);
        if (!store.topicWritten().isDone()) {
            appended = appended.thenCombineAsync(store.topicWritten(), (result, written) -> result, completeOn);
        }
        return appended.thenApply(result -> {
            if (result.isStored()) {
                long bytes = 0;
                for (MessageDraft d : store.drafts()) {
                    bytes += d.bodyLength();
                }
                observer.stored(r.topic(), store.drafts().size(), bytes, startNanos);
            }
            return new SendOutcome(responseCode(result.status()), result.remark(), result.commitLogOffsets(),
                store.queueId(), result.firstQueueOffset(), store.transactionId());
        });
    }

    /** The response code a store outcome gives a producer. */
    static int responseCode(PutResult.Status status) {
        return switch (status) {
            case PUT_OK -> ResponseCode.SUCCESS;
            case FLUSH_DISK_TIMEOUT -> ResponseCode.FLUSH_DISK_TIMEOUT;
            case FLUSH_SLAVE_TIMEOUT -> ResponseCode.FLUSH_SLAVE_TIMEOUT;
            case SLAVE_NOT_AVAILABLE -> ResponseCode.SLAVE_NOT_AVAILABLE;
            case MESSAGE_ILLEGAL -> ResponseCode.MESSAGE_ILLEGAL;
            case DISK_FULL, SERVICE_NOT_AVAILABLE -> ResponseCode.SERVICE_NOT_AVAILABLE;
            case BUSY -> ResponseCode.SYSTEM_BUSY;
            case FLUSH_FAILED, IN_SYNC_REPLICAS_NOT_ENOUGH -> ResponseCode.SYSTEM_ERROR;
        };
    }

    private RemotingCommand response(RequestContext ctx, SendOutcome o) {
        int code = o.code();
        RemotingCommand resp = ctx.response(code, o.remark());
        // The official producers read the message's ids with each of the four "stored" codes.
        if (code == ResponseCode.SUCCESS || code == ResponseCode.FLUSH_DISK_TIMEOUT
            || code == ResponseCode.FLUSH_SLAVE_TIMEOUT || code == ResponseCode.SLAVE_NOT_AVAILABLE) {
            StringBuilder ids = new StringBuilder();
            for (long off : o.commitLogOffsets()) {
                if (ids.length() > 0) {
                    ids.append(',');
                }
                ids.append(MessageId.offsetId(storeHost, storePort, off));
            }
            resp.putExt("msgId", ids.toString()).putExt("queueId", o.queueId())
                .putExt("queueOffset", o.queueOffset()).putExt("MSG_REGION", "DefaultRegion")
                .putExt("TRACE_ON", "true").putExt("transactionId", o.transactionId());
        }
        return resp;
    }
}
