package io.quiver.remoting;

import io.quiver.protocol.RemotingCommand;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests this process sent and whose responses it awaits, keyed by opaque (fact sheet §1.5). Each
 * entry completes with the response, or exceptionally on timeout or when its connection closes. Safe for
 * concurrent use by event-loop threads and callers.
 */
final class PendingCalls {
    /** Bound on outstanding calls, so an unresponsive peer cannot make the table grow without end. */
    static final int MAX_PENDING_CALLS = 65_536;

    private final ConcurrentHashMap<Integer, CompletableFuture<RemotingCommand>> calls = new ConcurrentHashMap<>();

    CompletableFuture<RemotingCommand> register(int opaque, long timeoutMillis) {
        CompletableFuture<RemotingCommand> f = new CompletableFuture<>();
        if (calls.size() >= MAX_PENDING_CALLS) {
            f.completeExceptionally(new RemotingException("too many outstanding calls (" + MAX_PENDING_CALLS + ")"));
            return f;
        }
        calls.put(opaque, f);
        f.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((r, e) -> calls.remove(opaque, f));
        return f;
    }

    /** Returns false when no call waits for this opaque (late or unknown response). */
    boolean complete(RemotingCommand response) {
        CompletableFuture<RemotingCommand> f = calls.remove(response.opaque());
        return f != null && f.complete(response);
    }

    void failAll(Throwable cause) {
        for (Integer opaque : calls.keySet()) {
            fail(opaque, cause);
        }
    }

    void fail(int opaque, Throwable cause) {
        CompletableFuture<RemotingCommand> f = calls.remove(opaque);
        if (f != null) {
            f.completeExceptionally(cause);
        }
    }
}
