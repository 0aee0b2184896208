package io.quiver.broker.metrics;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * RocketMQ's per-item statistics as VIEW_BROKER_STATS_DATA (mqadmin statsAll, exportMetrics, the dashboard) reads them:
 * for each name ({@code TOPIC_PUT_NUMS}, {@code GROUP_GET_NUMS}, ...) and key (a topic, or {@code topic@group}), a
 * running total and call count, sampled every 10 s for the last minute, every 10 minutes for the last hour and every
 * hour for the last day. A window's sum is the running total now minus its oldest sample (an item starts with a zero
 * sample, so its first messages count). At most {@code maxKeys} keys per name are
 * counted; more are ignored (and answered as unknown). Counting is lock-free from any thread; {@link #sample} runs on
 * one scheduler thread.
 */
public final class StatsWindows {
    public static final String TOPIC_PUT_NUMS = "TOPIC_PUT_NUMS";
    public static final String TOPIC_PUT_SIZE = "TOPIC_PUT_SIZE";
    public static final String GROUP_GET_NUMS = "GROUP_GET_NUMS";
    public static final String GROUP_GET_SIZE = "GROUP_GET_SIZE";
    public static final long SAMPLE_EVERY_MILLIS = 10_000;
    private static final long TEN_MINUTES = 600_000;
    private static final long HOUR = 3_600_000;

    /** One window: the sum over it, per second, and per call. */
    public record Window(long sum, double tps, double avgpt) {
    }

    /** The three windows of one item. */
    public record Item(Window minute, Window hour, Window day) {
    }

    private static final class Counter {
        final LongAdder value = new LongAdder();
        final LongAdder calls = new LongAdder();
        /** Scheduler thread only (and readers under its lock): {time, value, calls} samples, oldest first. */
        final ArrayDeque<long[]> minute = new ArrayDeque<>();
        final ArrayDeque<long[]> hour = new ArrayDeque<>();
        final ArrayDeque<long[]> day = new ArrayDeque<>();
    }

    private final int maxKeys;
    private final LongSupplier clock;
    private final Map<String, Map<String, Counter>> items = new ConcurrentHashMap<>();

    public StatsWindows(int maxKeys, LongSupplier clock) {
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** Adds {@code value} (one call) to {@code name}[{@code key}]. */
    public void add(String name, String key, long value) {
        Map<String, Counter> byKey = items.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        Counter c = byKey.get(key);
        if (c == null) {
            if (byKey.size() >= maxKeys) {
                return;
            }
            c = byKey.computeIfAbsent(key, k -> newCounter());
        }
        c.value.add(value);
        c.calls.increment();
    }

    private synchronized Counter newCounter() {
        Counter c = new Counter();
        long[] zero = {clock.getAsLong(), 0, 0};
        c.minute.add(zero);
        c.hour.add(zero);
        c.day.add(zero);
        return c;
    }

    /** Takes this period's samples; every 10 s from one thread. */
    public synchronized void sample() {
        long now = clock.getAsLong();
        for (Map<String, Counter> byKey : items.values()) {
            for (Counter c : byKey.values()) {
                long[] s = {now, c.value.sum(), c.calls.sum()};
                keep(c.minute, s, 0, 7);
                keep(c.hour, s, TEN_MINUTES, 7);
                keep(c.day, s, HOUR, 25);
            }
        }
    }

    private static void keep(ArrayDeque<long[]> q, long[] s, long every, int max) {
        if (!q.isEmpty() && every > 0 && s[0] - q.peekLast()[0] < every) {
            return;
        }
        q.addLast(s);
        while (q.size() > max) {
            q.removeFirst();
        }
    }

    /** The item's windows, or null when it was never counted (or never sampled). */
    public synchronized Item item(String name, String key) {
        Map<String, Counter> byKey = items.get(name);
        Counter c = byKey == null ? null : byKey.get(key);
        if (c == null) {
            return null;
        }
        long[] last = {clock.getAsLong(), c.value.sum(), c.calls.sum()};
        return new Item(window(c.minute, last), window(c.hour, last), window(c.day, last));
    }

    private static Window window(ArrayDeque<long[]> q, long[] last) {
        long[] first = q.peekFirst();
        long sum = last[1] - first[1];
        long calls = last[2] - first[2];
        long millis = last[0] - first[0];
        return new Window(sum, millis > 0 ? sum * 1000.0 / millis : 0, calls > 0 ? (double) sum / calls : 0);
    }
}
