package io.quiver.broker.delay;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.support.OffsetStateTable;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.Clock;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 5.x timer messages: delivery at any time up to {@code timerMaxDelaySec} ahead ({@code TIMER_DELIVER_MS},
 * {@code TIMER_DELAY_SEC}, {@code TIMER_DELAY_MS}; fact sheet §8.2). A timer message is stored at once in
 * {@code rmq_sys_wheel_timer} queue 0, its queue entry's tag code being its due time. Pending timers are
 * indexed in memory in {@link #BUCKET_MILLIS} buckets (bounded by {@link #MAX_PENDING_TIMERS}) and
 * rebuilt at start from the timer queue, reading only queue entries.
 *
 * <p>Exactly once: each batch of due timers is appended with a marker ({@link #MARKER_TOPIC}, body = the
 * delivered timer offsets) in one atomic append; delivered flags live in an {@link OffsetStateTable}
 * that is replayed from the markers after a crash. Lateness under bursts is bounded by store speed:
 * a batch is one append, without waiting for a disk force.
 */
public final class TimerService extends io.quiver.store.DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(TimerService.class);

    public static final String MARKER_TOPIC = "rmq_sys_quiver_timer_delivered";
    /** Most timers waiting at once; beyond it timer sends are refused as busy. */
    public static final int MAX_PENDING_TIMERS = 5_000_000;
    static final long BUCKET_MILLIS = 100;
    static final int MAX_BATCH = 64;

    /** Persisted progress. */
    public static final class Progress {
        public long scanFrom;
        public long markerReplayFrom;
    }

    /** Wall-clock time, behind an interface so tests control it. */
    private final Clock clock;
    private final BrokerConfig config;
    private final MessageStore store;
    private final byte[] storeHost;
    private final OffsetStateTable delivered;
    private final io.quiver.broker.support.ProgressFile<Progress> progressFile;
    private final TreeMap<Long, long[]> buckets = new TreeMap<>();
    private int pendingCount;
    private volatile long scanFrom;
    /** Timer thread: when progress was last persisted. */
    private long lastPersist;

    public TimerService(BrokerConfig config, MessageStore store, byte[] storeHost, Path dataDir, Clock clock) {
        super("quiver-timer", BUCKET_MILLIS);
        this.clock = clock;
        this.lastPersist = clock.millis();
        this.config = config;
        this.store = store;
        this.storeHost = storeHost;
        this.delivered = new OffsetStateTable(dataDir.resolve("timer"));
        this.progressFile = new io.quiver.broker.support.ProgressFile<>(
            dataDir.resolve("config").resolve("timer.json"), Progress.class, Progress::new);
    }

    // ------------------------------------------------------------------ send path

    /**
     * The delivery time a message asks for (priority TIMER_DELAY_SEC, TIMER_DELAY_MS, TIMER_DELIVER_MS),
     * or null when it asks for none. Throws IllegalArgumentException for a malformed value.
     */
    public static Long requestedDeliveryMillis(Map<String, String> props, long now) {
        String sec = props.get("TIMER_DELAY_SEC");
        String ms = props.get("TIMER_DELAY_MS");
        String at = props.get("TIMER_DELIVER_MS");
        try {
            if (sec != null) {
                return now + Long.parseLong(sec.trim()) * 1000;
            }
            if (ms != null) {
                return now + Long.parseLong(ms.trim());
            }
            if (at != null) {
                return Long.parseLong(at.trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the timer property is not a number: " + (sec != null ? sec : ms != null ? ms : at));
        }
        return null;
    }

    /** True when another timer may be accepted (the pending bound is not reached). */
    public synchronized boolean hasRoom() {
        return pendingCount < MAX_PENDING_TIMERS;
    }

    /** Readdresses {@code d} (already for its real topic and queue) to the timer queue. */
    public void toTimer(MessageDraft d, Map<String, String> props, long deliverMillis) {
        props.put(MessageProperties.REAL_TOPIC, d.topic());
        props.put(MessageProperties.REAL_QID, Integer.toString(d.queueId()));
        props.put(DueTimes.TIMER_OUT_MS, Long.toString(deliverMillis));
        d.properties(MessageProperties.encode(props));
        d.topic(TopicNames.TIMER_TOPIC);
        d.queueId(0);
        d.tagsCode(deliverMillis);
    }

    /** Called once a timer message is stored at {@code offset}. */
    public void stored(long offset, long deliverMillis) {
        add(offset, deliverMillis);
        wake();
    }

    private synchronized void add(long offset, long deliverMillis) {
        long key = deliverMillis / BUCKET_MILLIS;
        long[] b = buckets.get(key);
        if (b == null) {
            b = new long[] {1, offset}; // [0] = count
        } else {
            int n = (int) b[0];
            if (n + 1 >= b.length) {
                b = Arrays.copyOf(b, b.length * 2);
            }
            b[n + 1] = offset;
            b[0] = n + 1;
        }
        buckets.put(key, b);
        pendingCount++;
    }

    public synchronized int pending() {
        return pendingCount;
    }

    // ------------------------------------------------------------------ start-up

    /** Rebuilds the pending timers from the store (then the loop starts delivering). */
    @Override
    protected void beforeStart() {
        Progress p = progressFile.read();
        long markerMax = store.maxOffset(MARKER_TOPIC, 0);
        for (long o = Math.max(p.markerReplayFrom, store.minOffset(MARKER_TOPIC, 0)); o < markerMax; ) {
            GetResult r = store.getCopies(MARKER_TOPIC, 0, o, 32, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                o = Math.max(o + 1, r.nextBeginOffset());
                continue;
            }
            for (ByteBuffer rec : r.records()) {
                for (String s : new String(MessageRecord.decode(rec, 0).body, StandardCharsets.US_ASCII).split(",")) {
                    if (!s.isBlank()) {
                        delivered.setDecision(Long.parseLong(s.trim()), 1);
                    }
                }
            }
            o = r.nextBeginOffset();
        }
        long max = store.maxOffset(TopicNames.TIMER_TOPIC, 0);
        scanFrom = Math.max(p.scanFrom, Math.max(0, store.minOffset(TopicNames.TIMER_TOPIC, 0)));
        int loaded = 0;
        for (long o = scanFrom; o < max; o++) {
            if (delivered.decision(o) != 0) {
                continue;
            }
            Long due = store.tagsCodeAt(TopicNames.TIMER_TOPIC, 0, o);
            if (due != null) {
                add(o, due);
                loaded++;
            }
        }
        if (loaded > 0) {
            log.info("timers: {} pending timer message(s) reloaded", loaded);
        }
    }

    private void writeProgress(long markerReplayFrom) {
        long max = store.maxOffset(TopicNames.TIMER_TOPIC, 0);
        long s = scanFrom;
        while (s < max && delivered.decision(s) != 0) {
            s++;
        }
        scanFrom = s;
        delivered.force();
        Progress p = new Progress();
        p.scanFrom = s;
        p.markerReplayFrom = markerReplayFrom;
        progressFile.write(p);
    }

    // ------------------------------------------------------------------ delivery

    /** One cycle: deliver up to {@link #MAX_BATCH} due timers; persist progress about once a second. */
    @Override
    protected int doWork() {
        long now = clock.millis();
        List<Long> due = takeDue(now);
        if (!due.isEmpty()) {
            deliver(due, now);
        }
        if (now - lastPersist >= 1_000) {
            lastPersist = now;
            try {
                writeProgress(store.maxOffset(MARKER_TOPIC, 0));
            } catch (RuntimeException e) {
                log.error("persisting timer progress failed", e);
            }
        }
        return due.size();
    }

    /** Until the earliest bucket falls due, at most one bucket's width. */
    @Override
    protected long idleWaitNanos() {
        long wait = nextDueMillis() - clock.millis();
        return Math.max(1, Math.min(BUCKET_MILLIS, wait)) * 1_000_000L;
    }

    private synchronized long nextDueMillis() {
        return buckets.isEmpty() ? Long.MAX_VALUE : buckets.firstKey() * BUCKET_MILLIS;
    }

    /** Removes and returns up to {@link #MAX_BATCH} offsets whose bucket is due. */
    private synchronized List<Long> takeDue(long now) {
        List<Long> out = new ArrayList<>();
        while (!buckets.isEmpty() && out.size() < MAX_BATCH) {
            Map.Entry<Long, long[]> first = buckets.firstEntry();
            if (first.getKey() * BUCKET_MILLIS > now) {
                break;
            }
            long[] b = first.getValue();
            int n = (int) b[0];
            while (n > 0 && out.size() < MAX_BATCH) {
                out.add(b[n]);
                n--;
                pendingCount--;
            }
            if (n == 0) {
                buckets.pollFirstEntry();
            } else {
                b[0] = n;
            }
        }
        return out;
    }

    private void deliver(List<Long> offsets, long now) {
        List<MessageDraft> drafts = new ArrayList<>();
        StringBuilder marker = new StringBuilder();
        for (long off : offsets) {
            if (delivered.decision(off) != 0) {
                continue;
            }
            GetResult r = store.getCopies(TopicNames.TIMER_TOPIC, 0, off, 1, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                continue; // gone (retention) or damaged: nothing to deliver
            }
            drafts.add(delivery(MessageRecord.decode(r.records().get(0), 0), now));
            marker.append(off).append(',');
        }
        if (drafts.isEmpty()) {
            return;
        }
        drafts.add(marker(marker.toString()));
        PutResult put = store.put(drafts, false).join();
        if (!put.isStored()) {
            log.warn("delivering timer messages failed ({}); retrying", put.remark());
            for (long off : offsets) {
                Long due = store.tagsCodeAt(TopicNames.TIMER_TOPIC, 0, off);
                add(off, due == null ? now : due);
            }
            LockSupport.parkNanos(BUCKET_MILLIS * 1_000_000L);
            return;
        }
        for (long off : offsets) {
            delivered.setDecision(off, 1);
        }
    }

    private MessageDraft delivery(DecodedMessage m, long now) {
        Map<String, String> props = new LinkedHashMap<>(m.propertyMap());
        String realTopic = props.remove(MessageProperties.REAL_TOPIC);
        String qid = props.remove(MessageProperties.REAL_QID);
        props.put("TIMER_ENQUEUE_MS", Long.toString(m.storeTimestamp));
        props.put("TIMER_DEQUEUE_MS", Long.toString(now));
        props.put(MessageProperties.WAIT, "false");
        MessageDraft d = MessageDraft.copyOf(m);
        d.topic(realTopic);
        d.queueId(qid == null ? 0 : Integer.parseInt(qid));
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }

    private MessageDraft marker(String offsets) {
        MessageDraft d = new MessageDraft();
        d.topic(MARKER_TOPIC);
        byte[] body = offsets.getBytes(StandardCharsets.US_ASCII);
        d.body(body, 0, body.length);
        d.bornTimestamp(clock.millis());
        d.storeHost(storeHost);
        d.storePort(config.listenPort);
        return d;
    }

    /** Persists progress once the loop has stopped. */
    @Override
    protected void onStop() {
        writeProgress(store.maxOffset(MARKER_TOPIC, 0));
    }
}
