package io.quiver.broker.trace;

import io.quiver.broker.delay.DueTimes;
import io.quiver.protocol.message.TopicNames;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.Clock;
import io.quiver.store.IndexedRecordListener;
import io.quiver.store.TraceLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the broker's trace: every stored copy of a message (learnt from the index thread, so the send path
 * does no trace work), and what the handlers report through {@link Tracer}. Entries go to a {@link TraceLog},
 * which never blocks the caller.
 */
public final class TraceRecorder implements Tracer, IndexedRecordListener {
    /** User keys of one message that are made findable; more are ignored. */
    static final int MAX_USER_KEYS = 8;

    private final TraceLog log;
    private final Clock clock;

    public TraceRecorder(TraceLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    @Override
    public void indexed(ByteBuffer r, long commitLogOffset, String topic, String props) {
        if (topic.equals(TopicNames.TRACE_TOPIC) || topic.equals(TopicNames.TRANS_OP_HALF_TOPIC)
            || (topic.startsWith("rmq_sys_") && !topic.equals(TopicNames.TIMER_TOPIC))) {
            return; // the clients' own trace, and bookkeeping records that are no message
        }
        String uniq = MessageProperties.valueOf(props, MessageProperties.UNIQ_KEY);
        if (uniq == null || uniq.isEmpty()) {
            return;
        }
        int queueId = r.getInt(MessageRecord.POS_QUEUE_ID);
        long queueOffset = r.getLong(MessageRecord.POS_QUEUE_OFFSET);
        long stored = MessageRecord.storeTimestampOf(r);
        long born = r.getLong(MessageRecord.POS_BORN_TIMESTAMP);
        String host = MessageRecord.bornHostOf(r);
        String realTopic = MessageProperties.valueOf(props, MessageProperties.REAL_TOPIC);
        TraceEvent.Kind kind;
        String group;
        long value;
        String detail;
        if (topic.equals(TopicNames.TRANS_HALF_TOPIC)) {
            kind = TraceEvent.Kind.PREPARED;
            group = MessageProperties.valueOf(props, MessageProperties.PGROUP);
            value = 0;
            detail = "half message for " + realTopic + " from " + host;
        } else if (topic.equals(TopicNames.SCHEDULE_TOPIC) || topic.equals(TopicNames.TIMER_TOPIC)) {
            kind = TraceEvent.Kind.SCHEDULED;
            group = realTopic != null && realTopic.startsWith(TopicNames.RETRY_PREFIX)
                ? realTopic.substring(TopicNames.RETRY_PREFIX.length()) : null;
            String due = MessageProperties.valueOf(props, DueTimes.TIMER_OUT_MS);
            value = parseLong(due);
            String level = MessageProperties.valueOf(props, MessageProperties.DELAY);
            detail = "for " + realTopic + (level != null && due == null ? " at delay level " + level : "");
        } else if (topic.startsWith(TopicNames.RETRY_PREFIX)) {
            kind = TraceEvent.Kind.RETRIED;
            group = topic.substring(TopicNames.RETRY_PREFIX.length());
            value = MessageRecord.reconsumeTimesOf(r);
            detail = "to be consumed again (attempt " + (value + 1) + ")";
        } else if (topic.startsWith(TopicNames.DLQ_PREFIX)) {
            kind = TraceEvent.Kind.DEAD_LETTERED;
            group = topic.substring(TopicNames.DLQ_PREFIX.length());
            value = MessageRecord.reconsumeTimesOf(r);
            detail = "after " + value + " retries";
        } else {
            kind = TraceEvent.Kind.STORED;
            group = MessageProperties.valueOf(props, MessageProperties.PGROUP);
            value = Math.max(0, stored - born);
            detail = null; // the producer's address is the event's client
        }
        List<String> keys = new ArrayList<>(4);
        keys.add(TraceKeys.message(uniq));
        keys.add(TraceKeys.position(topic, queueId, queueOffset));
        if (kind == TraceEvent.Kind.STORED || kind == TraceEvent.Kind.PREPARED) {
            String userKeys = MessageProperties.valueOf(props, MessageProperties.KEYS);
            if (userKeys != null) {
                int n = 0;
                for (String k : userKeys.split(" ")) {
                    if (!k.isEmpty() && n++ < MAX_USER_KEYS) {
                        keys.add(TraceKeys.userKey(k));
                    }
                }
            }
        }
        TraceEvent e = new TraceEvent(kind, stored, uniq, topic, queueId, queueOffset, group, host, value, detail);
        log.offer(new TraceLog.Entry(stored, keys, e.encode()));
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void at(String topic, int queueId, long offset, TraceEvent e) {
        log.offer(new TraceLog.Entry(e.time(), List.of(TraceKeys.position(topic, queueId, offset)), e.encode()));
    }

    /**
     * One entry for up to {@link TraceLog#MAX_KEYS} messages of one queue handed out together, found by each one's
     * position; the query gives it the position it was found by.
     */
    private void handedOut(TraceEvent.Kind kind, String group, String client, String topic, int queueId, long[] offsets,
                           int count, long value, String detail) {
        long now = clock.millis();
        for (int from = 0; from < count; from += TraceLog.MAX_KEYS) {
            int to = Math.min(count, from + TraceLog.MAX_KEYS);
            List<String> keys = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                keys.add(TraceKeys.position(topic, queueId, offsets[i]));
            }
            TraceEvent e = new TraceEvent(kind, now, null, topic, queueId, offsets[from], group, client, value, detail);
            log.offer(new TraceLog.Entry(now, keys, e.encode()));
        }
    }

    @Override
    public void delivered(String group, String client, String topic, int queueId, List<ByteBuffer> records) {
        long[] offsets = new long[records.size()];
        for (int i = 0; i < offsets.length; i++) {
            ByteBuffer b = records.get(i);
            offsets[i] = b.getLong(b.position() + MessageRecord.POS_QUEUE_OFFSET);
        }
        handedOut(TraceEvent.Kind.DELIVERED, group, client, topic, queueId, offsets, offsets.length, 0, null);
    }

    @Override
    public void popped(String group, String client, String topic, int queueId, long[] offsets, long invisibleMillis) {
        handedOut(TraceEvent.Kind.POPPED, group, client, topic, queueId, offsets, offsets.length, invisibleMillis,
            "invisible for " + invisibleMillis + " ms");
    }

    @Override
    public void acked(String group, String topic, int queueId, long offset) {
        at(topic, queueId, offset, new TraceEvent(TraceEvent.Kind.ACKED, clock.millis(), null, topic, queueId, offset,
            group, null, 0, null));
    }

    @Override
    public void invisibleChanged(String group, String topic, int queueId, long offset, long invisibleMillis) {
        at(topic, queueId, offset, new TraceEvent(TraceEvent.Kind.INVISIBLE_CHANGED, clock.millis(), null, topic,
            queueId, offset, group, null, invisibleMillis, "invisible for " + invisibleMillis + " ms more"));
    }

    @Override
    public void committed(String group, String topic, int queueId, long from, long to) {
        if (to <= from) {
            return;
        }
        long now = clock.millis();
        TraceEvent e = new TraceEvent(TraceEvent.Kind.OFFSET_COMMITTED, now, null, topic, queueId, from, group, null, to,
            null);
        log.offer(new TraceLog.Entry(now, List.of(TraceKeys.commits(topic, queueId, group)), e.encode()));
    }

    @Override
    public void transactionDecided(String msgId, String producerGroup, boolean commit) {
        if (msgId == null) {
            return;
        }
        long now = clock.millis();
        TraceEvent e = new TraceEvent(commit ? TraceEvent.Kind.COMMITTED : TraceEvent.Kind.ROLLED_BACK, now, msgId, null,
            -1, -1, producerGroup, null, 0, null);
        log.offer(new TraceLog.Entry(now, List.of(TraceKeys.message(msgId)), e.encode()));
    }

    @Override
    public void transactionChecked(String msgId, String producerGroup, String client, int checks) {
        if (msgId == null) {
            return;
        }
        long now = clock.millis();
        TraceEvent e = new TraceEvent(TraceEvent.Kind.CHECKED, now, msgId, null, -1, -1, producerGroup, client, checks,
            "check " + checks);
        log.offer(new TraceLog.Entry(now, List.of(TraceKeys.message(msgId)), e.encode()));
    }
}
