package io.quiver.broker.trace;

import io.quiver.protocol.message.Bodies;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.MessageStore;
import io.quiver.store.TraceLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers "what happened to this message": finds its stored copies in the trace store (by unique id, by offset
 * id through the commit log, or by user key), then what happened at each copy's queue position (pulls, pops,
 * acknowledgements, the commit that passed it), and merges the clients' own trace from the trace topic. All
 * work is bounded: at most {@link #MAX_MESSAGES} messages, {@link #MAX_COPIES} copies each, and
 * {@link #MAX_EVENTS} events in the answer.
 */
public final class TraceQuery {
    public static final int MAX_MESSAGES = 16;
    public static final int MAX_COPIES = 64;
    public static final int MAX_EVENTS = 1_000;
    /** Lookups per position or commit key. */
    static final int MAX_PER_KEY = 256;
    /** Client trace messages read per message. */
    static final int MAX_CLIENT_TRACE_MESSAGES = 32;
    static final int MAX_CLIENT_TRACE_BYTES = 1 << 20;

    /** What a query found: the events, oldest first, and whether bounds cut it short. */
    public record Result(List<TraceEvent> events, Set<String> msgIds, boolean truncated) {
    }

    private final TraceLog log;
    private final MessageStore store;
    private final String traceTopic;

    public TraceQuery(TraceLog log, MessageStore store, String traceTopic) {
        this.log = log;
        this.store = store;
        this.traceTopic = traceTopic;
    }

    /** Everything known of the message(s) {@code id} names, within [{@code begin}, {@code end}]. */
    public Result trace(String id, long begin, long end) {
        Set<String> msgIds = resolve(id, begin, end);
        Map<TraceEvent, Boolean> events = new LinkedHashMap<>();
        boolean truncated = false;
        for (String msgId : msgIds) {
            List<TraceEvent> own = events(TraceKeys.message(msgId), begin, end);
            truncated |= own.size() >= MAX_PER_KEY;
            int copies = 0;
            for (TraceEvent e : own) {
                events.put(e, true);
                if (e.queueOffset() >= 0 && copies++ < MAX_COPIES) {
                    truncated |= positionEvents(e, end, events);
                }
            }
            for (TraceEvent e : clientEvents(msgId, begin, end)) {
                events.put(e, true);
            }
        }
        List<TraceEvent> out = new ArrayList<>(events.keySet());
        out.sort(Comparator.comparingLong(TraceEvent::time).thenComparing(e -> e.kind().ordinal()));
        if (out.size() > MAX_EVENTS) {
            out = new ArrayList<>(out.subList(0, MAX_EVENTS));
            truncated = true;
        }
        return new Result(out, msgIds, truncated);
    }

    /** The unique ids {@code id} stands for: itself, the message at an offset id, or the messages with that key. */
    private Set<String> resolve(String id, long begin, long end) {
        Set<String> ids = new LinkedHashSet<>();
        if (!log.lookup(TraceKeys.message(id), begin, end, 1).isEmpty()) {
            ids.add(id);
            return ids;
        }
        String fromOffsetId = uniqueIdAtOffsetId(id);
        if (fromOffsetId != null) {
            ids.add(fromOffsetId);
            return ids;
        }
        for (TraceEvent e : events(TraceKeys.userKey(id), begin, end)) {
            if (e.msgId() != null && ids.size() < MAX_MESSAGES) {
                ids.add(e.msgId());
            }
        }
        if (ids.isEmpty()) {
            ids.add(id); // perhaps only the clients' trace knows it (a message stored on another broker)
        }
        return ids;
    }

    private String uniqueIdAtOffsetId(String id) {
        if (id.length() != 32 && id.length() != 56 || !id.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            ByteBuffer r = store.recordAt(MessageId.decode(id).commitLogOffset());
            return r == null ? null : MessageProperties.valueOf(MessageRecord.propertiesOf(r), MessageProperties.UNIQ_KEY);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Adds what happened at the queue position of {@code copy}: deliveries, pops and acknowledgements, and for each
     * group that pulled it, the first offset commit past it (CONSUMED). True when a bound cut the lookups short.
     */
    private boolean positionEvents(TraceEvent copy, long end, Map<TraceEvent, Boolean> into) {
        List<TraceEvent> at = events(TraceKeys.position(copy.topic(), copy.queueId(), copy.queueOffset()), copy.time(), end);
        Map<String, Long> firstPull = new LinkedHashMap<>();
        for (TraceEvent e : at) {
            if (e.kind() == TraceEvent.Kind.DELIVERED || e.kind() == TraceEvent.Kind.POPPED
                || e.kind() == TraceEvent.Kind.ACKED || e.kind() == TraceEvent.Kind.INVISIBLE_CHANGED) {
                into.put(atCopy(e, copy), true);
                if (e.kind() == TraceEvent.Kind.DELIVERED && e.group() != null) {
                    firstPull.merge(e.group(), e.time(), Math::min);
                }
            }
        }
        for (Map.Entry<String, Long> g : firstPull.entrySet()) {
            for (TraceEvent c : events(TraceKeys.commits(copy.topic(), copy.queueId(), g.getKey()), g.getValue(), end)) {
                if (c.kind() == TraceEvent.Kind.OFFSET_COMMITTED && c.value() > copy.queueOffset()
                    && c.queueOffset() <= copy.queueOffset()) {
                    into.put(new TraceEvent(TraceEvent.Kind.CONSUMED, c.time(), copy.msgId(), copy.topic(), copy.queueId(),
                        copy.queueOffset(), g.getKey(), null, c.value(), "committed offset " + c.value()), true);
                    break; // the first commit past it, oldest first
                }
            }
        }
        return at.size() >= MAX_PER_KEY;
    }

    /** An event found by the position of {@code copy}, named with that copy (one entry may cover several). */
    private static TraceEvent atCopy(TraceEvent e, TraceEvent copy) {
        return new TraceEvent(e.kind(), e.time(), copy.msgId(), copy.topic(), copy.queueId(), copy.queueOffset(), e.group(),
            e.client(), e.value(), e.detail());
    }

    private List<TraceEvent> events(String key, long begin, long end) {
        List<TraceEvent> out = new ArrayList<>();
        for (TraceLog.Entry entry : log.lookup(key, begin, end, MAX_PER_KEY)) {
            TraceEvent e = TraceEvent.decode(entry.payload());
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** The clients' own records about {@code msgId} from the trace topic, found by its key there. */
    private List<TraceEvent> clientEvents(String msgId, long begin, long end) {
        List<TraceEvent> out = new ArrayList<>();
        if (store.queueCount(traceTopic) <= 0) {
            return out;
        }
        for (ByteBuffer r : store.query(traceTopic, msgId, false, MAX_CLIENT_TRACE_MESSAGES, begin, end)) {
            DecodedMessage m;
            try {
                m = MessageRecord.decode(r, 0);
            } catch (IllegalArgumentException e) {
                continue;
            }
            String body = new String(Bodies.uncompressed(m, MAX_CLIENT_TRACE_BYTES), StandardCharsets.UTF_8);
            out.addAll(ClientTrace.eventsOf(body, msgId, MessageRecord.bornHostOf(r), m.bornTimestamp));
        }
        return out;
    }
}
