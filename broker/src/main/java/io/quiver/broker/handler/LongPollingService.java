package io.quiver.broker.handler;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls that found nothing wait here (long polling, fact sheet §6.1) until a message arrives on their
 * queue or their hold time ends; this service's one thread ({@code quiver-long-poll}) owns the waiting
 * set and hands each woken pull back to the pull pool, which re-runs it (reads and replies never run on
 * this thread). The store's writer only marks the queue as having new data. The number of waiting pulls
 * is bounded.
 */
public final class LongPollingService extends io.quiver.store.DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(LongPollingService.class);

    /** Most pulls that may wait at once; beyond it pulls are answered at once with "no new message". */
    public static final int MAX_PARKED_PULLS = 100_000;
    /** Queues whose parked pulls wait for records to be confirmed (controller mode); at most MAX_PARKED_PULLS. */
    private final java.util.Set<String> awaitingConfirmation = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Longest sleep between deadline checks. */
    static final long TICK_MILLIS = 200;

    /** A waiting pull: re-running it answers the client (or parks it again). */
    public interface Parked {
        long deadlineMillis();

        /** Re-runs the pull; {@code mayParkAgain} is false once the deadline passed. */
        void resume(boolean mayParkAgain);
    }

    private final Map<String, Queue<Parked>> parked = new ConcurrentHashMap<>();
    private final Set<String> arrivals = ConcurrentHashMap.newKeySet();
    private final AtomicInteger parkedCount = new AtomicInteger();
    private final LongSupplier clock;
    private long lastSweep;

    private final java.util.concurrent.Executor resumeOn;

    /** @param resumeOn where woken pulls are re-run (the pull pool) */
    public LongPollingService(LongSupplier clock, java.util.concurrent.Executor resumeOn) {
        super("quiver-long-poll", TICK_MILLIS);
        this.clock = clock;
        this.resumeOn = resumeOn;
    }

    private static String key(String topic, int queueId) {
        return topic + '\u0001' + queueId;
    }

    /**
     * Parks a pull. {@code maxOffset} is re-read after parking so a message stored between the pull's
     * read and this call still wakes it. Returns false if the bound is reached (caller answers at once).
     */
    public boolean park(String topic, int queueId, long pullOffset, Parked p, LongSupplier maxOffset) {
        if (parkedCount.incrementAndGet() > MAX_PARKED_PULLS) {
            parkedCount.decrementAndGet();
            return false;
        }
        String k = key(topic, queueId);
        // Added inside compute, so a queue being emptied and dropped by the long-poll thread can never swallow it.
        parked.compute(k, (x, q) -> {
            Queue<Parked> list = q == null ? new ConcurrentLinkedQueue<>() : q;
            list.add(p);
            return list;
        });
        if (maxOffset.getAsLong() > pullOffset) {
            signal(k);
        }
        return true;
    }

    /**
     * A pull found records stored in its queue that consumers may not read yet (controller mode: not every in-sync
     * replica holds them); its queue is looked at again when the confirmed position moves. At most
     * {@link #MAX_PARKED_PULLS} queues are remembered.
     */
    public void awaitConfirmation(String topic, int queueId) {
        if (awaitingConfirmation.size() < MAX_PARKED_PULLS) {
            awaitingConfirmation.add(key(topic, queueId));
        }
    }

    /** Any thread: the confirmed position moved; the queues waiting for it are looked at again. */
    public void confirmed() {
        if (awaitingConfirmation.isEmpty()) {
            return;
        }
        for (Iterator<String> it = awaitingConfirmation.iterator(); it.hasNext(); ) {
            String k = it.next();
            it.remove();
            Queue<Parked> q = parked.get(k);
            if (q != null && !q.isEmpty()) {
                signal(k);
            }
        }
    }

    /**
     * Called by the send path after a message is stored. Cheap when nobody waits on the queue. Also wakes the pops
     * waiting on the whole topic (queue id -1).
     */
    public void notifyArrival(String topic, int queueId) {
        if (!topicArrivals.isEmpty()) {
            topicArrivals.computeIfPresent(topic, (t, n) -> n + 1); // before any look, so no wait misses it
        }
        if (parked.isEmpty()) {
            return;
        }
        String k = key(topic, queueId);
        Queue<Parked> q = parked.get(k);
        if (q != null && !q.isEmpty()) {
            signal(k);
        }
        String any = key(topic, ANY_QUEUE);
        Queue<Parked> all = parked.get(any);
        if (all != null && !all.isEmpty()) {
            signal(any);
        }
    }

    /** The queue id of a wait on every queue of a topic (a POP of all queues). */
    public static final int ANY_QUEUE = -1;

    /** Arrivals per topic with waits on every queue, so a wait parked just after one is woken at once. */
    private final Map<String, Long> topicArrivals = new ConcurrentHashMap<>();

    /**
     * Parks a wait on every queue of {@code topic}: woken by the next arrival on any of them (or a confirmation in
     * controller mode), or answered at its deadline. {@code seen} is {@link #topicArrivals(String)} before the caller
     * looked for messages. Returns false when the bound is reached.
     */
    public boolean parkOnTopic(String topic, long seen, Parked p) {
        if (topicArrivals.size() < MAX_PARKED_PULLS) {
            topicArrivals.putIfAbsent(topic, 0L);
        }
        awaitConfirmation(topic, ANY_QUEUE);
        return park(topic, ANY_QUEUE, seen, p, () -> topicArrivals(topic));
    }

    /**
     * Starts counting arrivals on {@code topic} (if room) and returns the count: read before a pop looks for
     * messages, so one stored while it looks wakes its wait.
     */
    public long watchTopic(String topic) {
        if (topicArrivals.size() < MAX_PARKED_PULLS) {
            topicArrivals.putIfAbsent(topic, 0L);
        }
        return topicArrivals(topic);
    }

    /** How many arrivals on {@code topic} woke waits on all its queues so far (see {@link #parkOnTopic}). */
    public long topicArrivals(String topic) {
        return topicArrivals.getOrDefault(topic, 0L);
    }

    private void signal(String k) {
        arrivals.add(k);
        wake();
    }

    public int parkedCount() {
        return parkedCount.get();
    }

    /** One cycle: hand back the pulls of queues that got messages, and every {@link #TICK_MILLIS} the expired ones. */
    @Override
    protected int doWork() {
        int n = 0;
        for (Iterator<String> it = arrivals.iterator(); it.hasNext(); ) {
            String k = it.next();
            it.remove();
            n += resumeAll(k, false);
        }
        long now = clock.getAsLong();
        if (now - lastSweep >= TICK_MILLIS) {
            lastSweep = now;
            for (String k : parked.keySet()) {
                n += resumeAll(k, true);
            }
        }
        return n;
    }

    /** Resumes the pulls of one queue: all of them, or only those past their deadline. */
    private int resumeAll(String k, boolean expiredOnly) {
        Queue<Parked> q = parked.get(k);
        if (q == null) {
            return 0;
        }
        long now = clock.getAsLong();
        List<Parked> ready = new ArrayList<>();
        for (Iterator<Parked> it = q.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (!expiredOnly || now >= p.deadlineMillis()) {
                it.remove();
                parkedCount.decrementAndGet();
                ready.add(p);
            }
        }
        parked.computeIfPresent(k, (x, list) -> list.isEmpty() ? null : list); // atomic with park()
        for (Parked p : ready) {
            boolean mayParkAgain = now < p.deadlineMillis();
            Runnable resume = () -> {
                try {
                    p.resume(mayParkAgain);
                } catch (RuntimeException e) {
                    log.error("resuming a parked pull failed", e);
                }
            };
            try {
                resumeOn.execute(resume);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                resume.run(); // the pull pool is full: answer here rather than lose the pull
            }
        }
        return ready.size();
    }

    /** Answers every still-parked pull once the loop has stopped, so clients do not wait for their timeout. */
    @Override
    protected void onStop() {
        for (String k : parked.keySet()) {
            Queue<Parked> q = parked.remove(k);
            if (q != null) {
                q.forEach(p -> {
                    parkedCount.decrementAndGet();
                    p.resume(false);
                });
            }
        }
    }
}
