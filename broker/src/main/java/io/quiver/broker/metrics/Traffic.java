package io.quiver.broker.metrics;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Message traffic counters: messages and bytes in (stored by sends) and out (returned by pulls), per topic
 * and in total, plus retries and dead letters. Handlers on any thread add to them without locks
 * ({@link LongAdder}). Per-topic counters are bounded: past {@link #maxTopics} distinct topics, further
 * topics are counted under {@link #OTHER_TOPICS}, so a client that invents topic names cannot grow memory
 * or metric series without limit.
 *
 * <p>{@link #sample()} is called by one scheduler thread every {@link #SAMPLE_PERIOD_MILLIS}; it keeps the
 * last ten minutes of totals for the TPS figures RocketMQ's runtime info reports (10 s, 1 min, 10 min),
 * and the totals at the start of today and yesterday for its "today" figures.
 */
public final class Traffic {
    public static final String OTHER_TOPICS = "_other";
    public static final long SAMPLE_PERIOD_MILLIS = 10_000;
    /** Samples kept: ten minutes and one. */
    static final int SAMPLES = 61;

    /** Counters of one topic. */
    public static final class TopicCounters {
        public final LongAdder messagesIn = new LongAdder();
        public final LongAdder bytesIn = new LongAdder();
        public final LongAdder messagesOut = new LongAdder();
        public final LongAdder bytesOut = new LongAdder();
    }

    private final int maxTopics;
    private final LongSupplier clock;
    private final ZoneId zone;
    private final Map<String, TopicCounters> topics = new ConcurrentHashMap<>();
    private final TopicCounters other = new TopicCounters();
    private final LongAdder putTotal = new LongAdder();
    private final LongAdder getTotal = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder deadLetters = new LongAdder();

    // Written only by the sampling thread; read by admin threads under this object's monitor.
    private final long[] sampleTime = new long[SAMPLES];
    private final long[] samplePut = new long[SAMPLES];
    private final long[] sampleGet = new long[SAMPLES];
    private int samples;
    private int next;
    private LocalDate today;
    private long putTodayMorning;
    private long getTodayMorning;
    private long putYesterdayMorning;
    private long getYesterdayMorning;

    /** The per-topic and per-group windows VIEW_BROKER_STATS_DATA answers from. */
    private final StatsWindows stats;

    public Traffic(int maxTopics, LongSupplier clock, ZoneId zone) {
        if (maxTopics < 1) {
            throw new IllegalArgumentException("maxTopics must be at least 1");
        }
        this.maxTopics = maxTopics;
        this.clock = clock;
        this.zone = zone;
        this.today = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(clock.getAsLong()), zone);
        this.stats = new StatsWindows(maxTopics, clock);
        sample();
    }

    /** The counters of {@code topic}, or the shared overflow counters once the topic bound is reached. */
    public TopicCounters topic(String topic) {
        TopicCounters c = topics.get(topic);
        if (c != null) {
            return c;
        }
        if (topics.size() >= maxTopics) {
            return other;
        }
        return topics.computeIfAbsent(topic, t -> new TopicCounters());
    }

    public StatsWindows stats() {
        return stats;
    }

    public void stored(String topic, int messages, long bytes) {
        stats.add(StatsWindows.TOPIC_PUT_NUMS, topic, messages);
        stats.add(StatsWindows.TOPIC_PUT_SIZE, topic, bytes);
        TopicCounters c = topic(topic);
        c.messagesIn.add(messages);
        c.bytesIn.add(bytes);
        putTotal.add(messages);
    }

    /** A pull of {@code group} took these messages of {@code topic}. */
    public void delivered(String topic, String group, int messages, long bytes) {
        stats.add(StatsWindows.GROUP_GET_NUMS, topic + "@" + group, messages);
        stats.add(StatsWindows.GROUP_GET_SIZE, topic + "@" + group, bytes);
        delivered(topic, messages, bytes);
    }

    public void delivered(String topic, int messages, long bytes) {
        TopicCounters c = topic(topic);
        c.messagesOut.add(messages);
        c.bytesOut.add(bytes);
        getTotal.add(messages);
    }

    public void retried() {
        retries.increment();
    }

    public void deadLettered() {
        deadLetters.increment();
    }

    public long retries() {
        return retries.sum();
    }

    public long deadLetters() {
        return deadLetters.sum();
    }

    public long putTotal() {
        return putTotal.sum();
    }

    public long getTotal() {
        return getTotal.sum();
    }

    /** Per-topic counters (a live view), plus {@link #OTHER_TOPICS} if the bound was reached. */
    public Map<String, TopicCounters> byTopic() {
        if (topics.size() < maxTopics) {
            return topics;
        }
        Map<String, TopicCounters> all = new java.util.HashMap<>(topics);
        all.put(OTHER_TOPICS, other);
        return all;
    }

    /** Forgets a deleted topic's counters. */
    public void forget(String topic) {
        topics.remove(topic);
    }

    /** Records the current totals; rolls the day at local midnight. */
    public synchronized void sample() {
        stats.sample();
        long now = clock.getAsLong();
        long put = putTotal.sum();
        long get = getTotal.sum();
        sampleTime[next] = now;
        samplePut[next] = put;
        sampleGet[next] = get;
        next = (next + 1) % SAMPLES;
        samples = Math.min(SAMPLES, samples + 1);
        LocalDate d = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(now), zone);
        if (!d.equals(today)) {
            putYesterdayMorning = putTodayMorning;
            getYesterdayMorning = getTodayMorning;
            putTodayMorning = put;
            getTodayMorning = get;
            today = d;
        }
    }

    /** Messages stored per second over about the last {@code windowMillis}, from the samples. */
    public synchronized double putTps(long windowMillis) {
        return rate(samplePut, putTotal.sum(), windowMillis);
    }

    public synchronized double getTps(long windowMillis) {
        return rate(sampleGet, getTotal.sum(), windowMillis);
    }

    private double rate(long[] values, long current, long windowMillis) {
        long now = clock.getAsLong();
        // The newest sample at least a window old (or the oldest we have).
        int best = Math.floorMod(next - 1, SAMPLES);
        for (int i = 1; i <= samples; i++) {
            best = Math.floorMod(next - i, SAMPLES);
            if (now - sampleTime[best] >= windowMillis) {
                break;
            }
        }
        long elapsed = now - sampleTime[best];
        return elapsed <= 0 ? 0.0 : (current - values[best]) * 1000.0 / elapsed;
    }

    public synchronized long putTodayMorning() {
        return putTodayMorning;
    }

    public synchronized long getTodayMorning() {
        return getTodayMorning;
    }

    public synchronized long putYesterdayMorning() {
        return putYesterdayMorning;
    }

    public synchronized long getYesterdayMorning() {
        return getYesterdayMorning;
    }
}
