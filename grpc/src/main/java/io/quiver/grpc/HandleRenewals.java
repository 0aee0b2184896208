package io.quiver.grpc;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages received by push consumers ({@code auto_renew}): the broker keeps them invisible while the client works
 * on them, as RocketMQ's proxy does. Shortly before a message would become visible again its invisible time is
 * extended by {@link #RENEW_MILLIS}, for at most {@link #MAX_HOLD_MILLIS}; the newest receipt handle replaces the
 * one the client holds when it acknowledges or gives the message back (the push consumer always answers with the
 * handle it received). At most {@link #MAX_TRACKED} messages are held this way; beyond, a message simply becomes
 * visible after its first invisible time. {@link #renewDue} runs on one thread; the rest is called from gRPC calls.
 */
final class HandleRenewals {
    static final int MAX_TRACKED = 100_000;
    /** How far ahead of its end an invisible time is extended. */
    static final long RENEW_AHEAD_MILLIS = 10_000;
    static final long RENEW_MILLIS = 60_000;
    /** Longest a message is held for a client that neither acknowledges nor gives it back. */
    static final long MAX_HOLD_MILLIS = 3 * 3_600_000L;

    record Key(String clientId, String group, String messageId) {}

    record Held(ClientSession session, String group, String topic, ReceiptHandle handle, long since) {
        long visibleAt() {
            return handle.popTime() + handle.invisibleMillis();
        }
    }

    private final Map<Key, Held> held = new ConcurrentHashMap<>();
    /** Renewals under way: an answer about the message waits for the handle they bring. */
    private final Map<Key, java.util.concurrent.CompletableFuture<ReceiptHandle>> renewing = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final ClientSessions sessions;
    private final Clock clock;

    HandleRenewals(ClientSessions sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
    }

    /** Holds a message received with auto-renewal; false when {@link #MAX_TRACKED} are held already. */
    boolean hold(ClientSession s, String group, String topic, String messageId, ReceiptHandle handle) {
        Key k = new Key(s.clientId, group, messageId);
        if (size.get() >= MAX_TRACKED && !held.containsKey(k)) {
            return false;
        }
        if (held.put(k, new Held(s, group, topic, handle, clock.millis())) == null) {
            size.incrementAndGet();
        }
        return true;
    }

    /**
     * The handle to use for the client's answer about {@code messageId}: the newest one when the message is held
     * (it is released; a renewal under way is waited for), else {@code given}.
     */
    java.util.concurrent.CompletableFuture<ReceiptHandle> release(ClientSession s, String group, String messageId,
                                                                  ReceiptHandle given) {
        Key k = new Key(s.clientId, group, messageId);
        Held h = held.remove(k);
        if (h == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(given);
        }
        size.decrementAndGet();
        java.util.concurrent.CompletableFuture<ReceiptHandle> inFlight = renewing.get(k);
        if (inFlight == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(h.handle());
        }
        return inFlight.handle((renewed, e) -> renewed != null ? renewed : h.handle());
    }

    /** Forgets what {@code s} holds (it went away): those messages become visible at the end of their time. */
    void forget(ClientSession s) {
        held.keySet().removeIf(k -> {
            if (k.clientId().equals(s.clientId)) {
                size.decrementAndGet();
                return true;
            }
            return false;
        });
    }

    /** The handle held for a message now, or null. */
    ReceiptHandle peek(ClientSession s, String group, String messageId) {
        Held h = held.get(new Key(s.clientId, group, messageId));
        return h == null ? null : h.handle();
    }

    int size() {
        return size.get();
    }

    /** Extends the invisible time of every held message that would become visible within {@link #RENEW_AHEAD_MILLIS}. */
    int renewDue() {
        long now = clock.millis();
        int n = 0;
        for (Map.Entry<Key, Held> e : held.entrySet()) {
            Held h = e.getValue();
            if (h.visibleAt() - now > RENEW_AHEAD_MILLIS) {
                continue;
            }
            java.util.concurrent.CompletableFuture<ReceiptHandle> done = new java.util.concurrent.CompletableFuture<>();
            if (renewing.putIfAbsent(e.getKey(), done) != null) {
                continue;
            }
            if (now - h.since() > MAX_HOLD_MILLIS) {
                if (held.remove(e.getKey(), h)) {
                    size.decrementAndGet(); // given up: it becomes visible and is delivered again
                }
                renewing.remove(e.getKey());
                done.complete(null);
                continue;
            }
            n++;
            ReceiptHandle handle = h.handle();
            RemotingCommand change = ConsumerService.changeRequest(h.group(), h.topic(), handle, RENEW_MILLIS);
            sessions.call(h.session(), change, ClientService.BROKER_TIMEOUT_MILLIS).whenComplete((resp, ex) -> {
                ReceiptHandle renewed = null;
                if (ex == null && resp.code() == ResponseCode.SUCCESS) {
                    renewed = handle.renewed(Long.parseLong(resp.extFields().get("popTime")),
                        Long.parseLong(resp.extFields().get("invisibleTime")));
                    held.replace(e.getKey(), h, new Held(h.session(), h.group(), h.topic(), renewed, h.since()));
                } else if (ex == null && held.remove(e.getKey(), h)) {
                    size.decrementAndGet(); // acknowledged or redelivered meanwhile: nothing left to hold
                }
                renewing.remove(e.getKey(), done);
                done.complete(renewed);
            });
        }
        return n;
    }
}
