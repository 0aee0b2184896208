package io.quiver.broker.handler;

import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Answers an admin change once it is on disk (metadata tables are written in the background). */
final class DurableReply {
    /** Longest an admin request waits for its change to be written before it is told so. */
    static final long WRITE_WAIT_SECONDS = 10;

    private DurableReply() {}

    static void whenWritten(RequestContext ctx, CompletableFuture<Void> written) {
        written.orTimeout(WRITE_WAIT_SECONDS, TimeUnit.SECONDS).whenCompleteAsync((v, e) -> ctx.reply(
            e == null ? ResponseCode.SUCCESS : ResponseCode.SYSTEM_ERROR,
            e == null ? null : "the change is applied but writing it to disk did not finish in " + WRITE_WAIT_SECONDS
                + " s; see the broker log"), ctx.executor());
    }
}
