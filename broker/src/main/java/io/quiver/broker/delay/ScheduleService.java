package io.quiver.broker.delay;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.config.DelayLevels;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers delayed messages (delay levels, and retries which use them) when they fall due. A delayed
 * message waits in {@code SCHEDULE_TOPIC_XXXX} queue {@code level-1}, its queue entry's tag code being its
 * due time; entries of one level are in due order. One thread (this service's) owns delivery.
 *
 * <p>Exactly once: each batch of due messages is appended together with a progress marker for its level
 * ({@link #PROGRESS_TOPIC} queue {@code level-1}, body = last delivered schedule offset) in one atomic
 * store append. After a crash, progress is the last marker: nothing is lost and nothing delivered twice.
 */
public final class ScheduleService extends io.quiver.store.DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);

    /** Internal topic holding the per-level progress markers. */
    public static final String PROGRESS_TOPIC = "rmq_sys_quiver_delay_progress";
    /** Most messages delivered in one append (one marker each). */
    public static final int MAX_BATCH = 64;
    /** Longest sleep when nothing is due soon. */
    static final long MAX_IDLE_MILLIS = 100;

    /** Wall-clock time, behind an interface so tests control it. */
    private final Clock clock;
    private final BrokerConfig config;
    private final MessageStore store;
    private final byte[] storeHost;
    private final DelayLevels levels;
    private final long[] progress;
    /** Most batches one level delivers in one cycle, so every level gets its turn. */
    static final int MAX_BATCHES_PER_LEVEL = 16;
    /** When the earliest known delayed message falls due; set by each cycle (schedule thread). */
    private long nextDueMillis;

    public ScheduleService(BrokerConfig config, MessageStore store, byte[] storeHost, DelayLevels levels, Clock clock) {
        super("quiver-schedule", MAX_IDLE_MILLIS);
        this.clock = clock;
        this.config = config;
        this.store = store;
        this.storeHost = storeHost;
        this.levels = levels;
        this.progress = new long[levels.maxLevel()];
    }

    public DelayLevels levels() {
        return levels;
    }

    /** Recovers each level's progress from its last marker (then the loop starts delivering). */
    @Override
    protected void beforeStart() {
        for (int i = 0; i < progress.length; i++) {
            long max = store.maxOffset(PROGRESS_TOPIC, i);
            long p = Math.max(0, store.minOffset(TopicNames.SCHEDULE_TOPIC, i));
            if (max > 0) {
                GetResult r = store.getCopies(PROGRESS_TOPIC, i, max - 1, 1, 0, MessageFilter.ALL);
                if (!r.records().isEmpty()) {
                    DecodedMessage marker = MessageRecord.decode(r.records().get(0), 0);
                    p = Math.max(p, Long.parseLong(new String(marker.body, StandardCharsets.US_ASCII).trim()) + 1);
                }
            }
            progress[i] = p;
        }
    }

    /**
     * Turns {@code d} (already addressed to its real topic and queue) into a delayed message of
     * {@code level}: stored in the schedule queue of that level, due after the level's delay.
     */
    public void toSchedule(MessageDraft d, Map<String, String> props, int level) {
        int l = levels.clamp(level);
        props.put(MessageProperties.REAL_TOPIC, d.topic());
        props.put(MessageProperties.REAL_QID, Integer.toString(d.queueId()));
        props.put(MessageProperties.DELAY, Integer.toString(l));
        d.properties(MessageProperties.encode(props));
        d.topic(TopicNames.SCHEDULE_TOPIC);
        d.queueId(l - 1);
        d.deliverDelayMillis(levels.millis(l));
        d.tagsCode(0);
    }

    /** Delayed messages waiting, over all levels. */
    public long pending() {
        long n = 0;
        for (int i = 0; i < progress.length; i++) {
            n += Math.max(0, store.maxOffset(TopicNames.SCHEDULE_TOPIC, i) - progress[i]);
        }
        return n;
    }

    /**
     * One cycle: every level delivers what is due, at most {@link #MAX_BATCHES_PER_LEVEL} batches each.
     * Reports work while something is still due, so the loop parks only until the next due time.
     */
    @Override
    protected int doWork() {
        long now = clock.millis();
        long nextDue = now + MAX_IDLE_MILLIS;
        for (int i = 0; i < progress.length && isRunning(); i++) {
            try {
                nextDue = Math.min(nextDue, deliverLevel(i, now));
            } catch (RuntimeException e) {
                log.error("delivering delay level {} failed; retrying", i + 1, e);
            }
        }
        nextDueMillis = nextDue;
        return nextDue <= now ? 1 : 0;
    }

    @Override
    protected long idleWaitNanos() {
        return Math.max(0, nextDueMillis - clock.millis()) * 1_000_000L;
    }

    /**
     * Delivers what is due on one level, at most {@link #MAX_BATCHES_PER_LEVEL} batches; returns when its
     * next message falls due ({@code now} when more is due already, far future when the level is empty).
     */
    private long deliverLevel(int i, long now) {
        String schedule = TopicNames.SCHEDULE_TOPIC;
        for (int batch = 0; batch < MAX_BATCHES_PER_LEVEL && isRunning(); batch++) {
            long max = store.maxOffset(schedule, i);
            long from = progress[i];
            if (from >= max) {
                return Long.MAX_VALUE;
            }
            Long due = store.tagsCodeAt(schedule, i, from);
            if (due != null && due > now) {
                return due;
            }
            GetResult r = store.getCopies(schedule, i, from, MAX_BATCH, 0, MessageFilter.ALL);
            if (r.status() == GetResult.Status.OFFSET_TOO_SMALL) {
                progress[i] = r.nextBeginOffset();
                continue;
            }
            List<MessageDraft> drafts = new ArrayList<>();
            long last = from - 1;
            for (ByteBuffer rec : r.records()) {
                DecodedMessage m = MessageRecord.decode(rec, 0);
                Long d = store.tagsCodeAt(schedule, i, m.queueOffset);
                if (d != null && d > now) {
                    break;
                }
                drafts.add(delivery(m));
                last = m.queueOffset;
            }
            if (drafts.isEmpty()) {
                if (r.records().isEmpty() && r.nextBeginOffset() > from) {
                    progress[i] = r.nextBeginOffset(); // unreadable (damaged) entries: nothing to deliver
                    continue;
                }
                return now + MAX_IDLE_MILLIS;
            }
            drafts.add(marker(i, last));
            PutResult put = store.put(drafts, false).join();
            if (!put.isStored()) {
                log.warn("delivering delayed messages failed ({}); retrying", put.remark());
                return now + MAX_IDLE_MILLIS;
            }
            progress[i] = last + 1;
        }
        return isRunning() ? now : Long.MAX_VALUE;
    }

    private MessageDraft delivery(DecodedMessage m) {
        Map<String, String> props = new LinkedHashMap<>(m.propertyMap());
        props.remove(MessageProperties.DELAY);
        props.put(MessageProperties.WAIT, "false");
        MessageDraft d = MessageDraft.copyOf(m);
        d.topic(props.get(MessageProperties.REAL_TOPIC));
        d.queueId(parseInt(props.get(MessageProperties.REAL_QID)));
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }

    private MessageDraft marker(int levelIndex, long lastDelivered) {
        MessageDraft d = new MessageDraft();
        d.topic(PROGRESS_TOPIC);
        d.queueId(levelIndex);
        byte[] body = Long.toString(lastDelivered).getBytes(StandardCharsets.US_ASCII);
        d.body(body, 0, body.length);
        d.bornTimestamp(clock.millis());
        d.storeHost(storeHost);
        d.storePort(config.listenPort);
        return d;
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

}
