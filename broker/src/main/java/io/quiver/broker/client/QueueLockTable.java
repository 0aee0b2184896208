package io.quiver.broker.client;

import io.quiver.protocol.body.MessageQueue;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Orderly-consumption locks (fact sheet §6.8): per consumer group, which client holds each queue. A lock
 * not renewed within the lease is free for another client; {@link #expire} (run with the client expiry)
 * forgets such locks, and at most {@link #MAX_LOCKS} are held at once: beyond it no new lock is granted until
 * lapsed ones are forgotten, so requests naming endless groups or queues cannot grow the table. All methods are
 * synchronized; calls are rare (every 20 s per client).
 */
public final class QueueLockTable {
    /** Most locks held at once, over all groups. */
    public static final int MAX_LOCKS = 100_000;

    private record Lock(String clientId, long renewedMillis) {}

    private final long leaseMillis;
    private final int maxLocks;
    private final Map<String, Map<MessageQueue, Lock>> locks = new HashMap<>();
    private int size;

    public QueueLockTable(long leaseMillis) {
        this(leaseMillis, MAX_LOCKS);
    }

    /** @param maxLocks most locks held at once ({@link #MAX_LOCKS} in a broker; smaller in tests) */
    public QueueLockTable(long leaseMillis, int maxLocks) {
        this.leaseMillis = leaseMillis;
        this.maxLocks = maxLocks;
    }

    /** Grants or renews the locks it can; returns the queues now held by {@code clientId}. */
    public synchronized Set<MessageQueue> lock(String group, String clientId, Set<MessageQueue> queues, long nowMillis) {
        Map<MessageQueue, Lock> g = locks.computeIfAbsent(group, k -> new HashMap<>());
        Set<MessageQueue> granted = new LinkedHashSet<>();
        for (MessageQueue q : queues) {
            Lock l = g.get(q);
            if (l == null && size >= maxLocks) {
                continue; // full: renewals still pass, new locks wait until expired ones are forgotten
            }
            if (l == null || Objects.equals(l.clientId(), clientId) || nowMillis - l.renewedMillis() > leaseMillis) {
                if (g.put(q, new Lock(clientId, nowMillis)) == null) {
                    size++;
                }
                granted.add(q);
            }
        }
        if (g.isEmpty()) {
            locks.remove(group);
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
            if (l != null && Objects.equals(l.clientId(), clientId)) {
                g.remove(q);
                size--;
            }
        }
        if (g.isEmpty()) {
            locks.remove(group);
        }
    }

    /** Releases every lock a client holds (its connection closed or it was expired). */
    public synchronized void releaseAll(String clientId) {
        removeIf(l -> Objects.equals(l.clientId(), clientId));
    }

    /** Forgets locks whose lease ran out before {@code nowMillis}: they are free already. Returns how many. */
    public synchronized int expire(long nowMillis) {
        return removeIf(l -> nowMillis - l.renewedMillis() > leaseMillis);
    }

    /** Locks held now, expired ones not yet forgotten included. */
    public synchronized int size() {
        return size;
    }

    private int removeIf(java.util.function.Predicate<Lock> gone) {
        int removed = 0;
        for (Iterator<Map<MessageQueue, Lock>> groups = locks.values().iterator(); groups.hasNext(); ) {
            Map<MessageQueue, Lock> g = groups.next();
            for (Iterator<Lock> it = g.values().iterator(); it.hasNext(); ) {
                if (gone.test(it.next())) {
                    it.remove();
                    removed++;
                }
            }
            if (g.isEmpty()) {
                groups.remove();
            }
        }
        size -= removed;
        return removed;
    }
}
