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
    /** Groups whose offset commits are looked at per copy. */
    static final int MAX_GROUPS_PER_COPY = 8;
    /** First window searched for the commit that passed a message; each next one is four times wider. */
    static final long FIRST_COMMIT_WINDOW_MILLIS = 2_000;
    static final int COMMIT_WINDOWS = 8;
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
            if (events.size() > 2 * MAX_EVENTS) {
                truncated = true;
                break;
            }
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

    /** The unique id of the message an offset id names, when it names a record this broker stored; else null. */
    private String uniqueIdAtOffsetId(String id) {
        if (id.length() != 32 && id.length() != 56 || !id.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            MessageId.Decoded d = MessageId.decode(id);
            ByteBuffer r = store.recordAt(d.commitLogOffset());
            if (r == null) {
                return null;
            }
            DecodedMessage m = MessageRecord.decode(r, 0);
            if (!java.util.Arrays.equals(m.storeHost, d.address().getAddress().getAddress())
                || m.storePort != d.address().getPort()) {
                return null; // the same offset on another broker: not this message
            }
            return m.propertyMap().get(MessageProperties.UNIQ_KEY);
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
        int groups = 0;
        for (Map.Entry<String, Long> g : firstPull.entrySet()) {
            if (groups++ >= MAX_GROUPS_PER_COPY) {
                break;
            }
            TraceEvent passed = firstCommitPast(copy, g.getKey(), g.getValue(), end);
            if (passed != null) {
                into.put(new TraceEvent(TraceEvent.Kind.CONSUMED, passed.time(), copy.msgId(), copy.topic(), copy.queueId(),
                    copy.queueOffset(), g.getKey(), null, passed.value(), "committed offset " + passed.value()), true);
            }
        }
        return at.size() >= MAX_PER_KEY;
    }

    /**
     * The first commit of {@code group} that moved its offset past the copy, searched in widening windows from its
     * first delivery (a lookup answers the newest entries of a window, so a busy queue's many commits never hide the
     * first one); null when none is found within the bounded windows.
     */
    private TraceEvent firstCommitPast(TraceEvent copy, String group, long from, long end) {
        String key = TraceKeys.commits(copy.topic(), copy.queueId(), group);
        long window = FIRST_COMMIT_WINDOW_MILLIS;
        for (int i = 0; i < COMMIT_WINDOWS; i++, window *= 4) {
            long to = i == COMMIT_WINDOWS - 1 || from > end - window ? end : from + window;
            for (TraceEvent c : events(key, from, to)) {
                if (c.kind() == TraceEvent.Kind.OFFSET_COMMITTED && c.value() > copy.queueOffset()
                    && c.queueOffset() <= copy.queueOffset()) {
                    return c; // oldest first
                }
            }
            if (to == end) {
                break;
            }
        }
        return null;
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
