package io.quiver.broker.client;

import io.quiver.protocol.body.MessageQueue;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Orderly-consumption locks (fact sheet §6.8): per consumer group, which client holds each queue. A lock
 * not renewed within the lease is free for another client. All methods are synchronized; calls are rare
 * (every 20 s per client).
 */
public final class QueueLockTable {
    private record Lock(String clientId, long renewedMillis) {}

    private final long leaseMillis;
    private final Map<String, Map<MessageQueue, Lock>> locks = new HashMap<>();

    public QueueLockTable(long leaseMillis) {
        this.leaseMillis = leaseMillis;
    }

    /** Grants or renews the locks it can; returns the queues now held by {@code clientId}. */
    public synchronized Set<MessageQueue> lock(String group, String clientId, Set<MessageQueue> queues, long nowMillis) {
        Map<MessageQueue, Lock> g = locks.computeIfAbsent(group, k -> new HashMap<>());
        Set<MessageQueue> granted = new LinkedHashSet<>();
        for (MessageQueue q : queues) {
            Lock l = g.get(q);
            if (l == null || l.clientId().equals(clientId) || nowMillis - l.renewedMillis() > leaseMillis) {
                g.put(q, new Lock(clientId, nowMillis));
                granted.add(q);
            }
        }
        return granted;
    }

    public synchronized void unlock(String group, String clientId, Set<MessageQueue> queues) {
        Map<MessageQueue, Lock> g = locks.get(group);
        if (g == null) {
            return;
        }
        for (MessageQueue q : queues) {
            Lock l = g.get(q);
            if (l != null && l.clientId().equals(clientId)) {
                g.remove(q);
            }
        }
        if (g.isEmpty()) {
            locks.remove(group);
        }
    }

    /** Releases every lock a client holds (its connection closed or it was expired). */
    public synchronized void releaseAll(String clientId) {
        for (Map<MessageQueue, Lock> g : locks.values()) {
            g.values().removeIf(l -> l.clientId().equals(clientId));
        }
        locks.values().removeIf(Map::isEmpty);
    }
}
