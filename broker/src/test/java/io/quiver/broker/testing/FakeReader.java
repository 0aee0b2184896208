package io.quiver.broker.testing;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageReader;
import io.quiver.store.MessageStore;
import io.quiver.store.TimeBoundary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory {@link MessageReader} for handler tests: queues of real records (encoded with
 * {@link MessageRecord#write}) laid end to end in one pretend commit log starting at offset 0. Reads answer
 * with the statuses, offsets and limits of {@link MessageStore#get}; there is no index lag, no damage and
 * no retention other than {@link #dropBefore}. Every method is synchronized, so any thread may call it;
 * tests may subclass it to inject a race.
 */
public class FakeReader implements MessageReader {
    /** The store address and port written into every record (and so into offset message ids). */
    public static final byte[] STORE_HOST = {10, 0, 0, 7};
    public static final int STORE_PORT = 10911;
    public static final byte[] BORN_HOST = {127, 0, 0, 1};
    public static final int BORN_PORT = 40000;

    /** One stored record and its consume-queue entry. */
    private record Entry(String topic, int queueId, long queueOffset, long commitLogOffset, long tagsCode,
                         long storeTimestamp, Map<String, String> props, byte[] bytes) {}

    /** One queue: every entry ever added (index = queue offset) and the first offset still stored. */
    private static final class Queue {
        final List<Entry> entries = new ArrayList<>();
        long min;

        long max() {
            return entries.size();
        }
    }

    private final Map<String, Map<Integer, Queue>> queues = new TreeMap<>();
    private final TreeMap<Long, Entry> log = new TreeMap<>();
    private long writePosition;

    /** Stores a message with {@code tags} (none if null) and returns its commit-log offset. */
    public long add(String topic, int queueId, String body, String tags, long storeTimestamp) {
        Map<String, String> props = new LinkedHashMap<>();
        if (tags != null) {
            props.put(MessageProperties.TAGS, tags);
        }
        return addWithProperties(topic, queueId, body, props, storeTimestamp);
    }

    /** Stores a message with the given properties (TAGS, KEYS, UNIQ_KEY...) and returns its commit-log offset. */
    public synchronized long addWithProperties(String topic, int queueId, String body, Map<String, String> props,
                                           long storeTimestamp) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).bornTimestamp(storeTimestamp - 1)
            .bornHost(BORN_HOST).bornPort(BORN_PORT).storeHost(STORE_HOST).storePort(STORE_PORT)
            .properties(MessageProperties.encode(props)).body(b, 0, b.length);
        Queue q = queues.computeIfAbsent(topic, t -> new TreeMap<>()).computeIfAbsent(queueId, i -> new Queue());
        long queueOffset = q.max();
        long commitLogOffset = writePosition;
        ByteBuffer buf = ByteBuffer.allocate(d.encodedSize());
        MessageRecord.write(buf, d, d.encodedSize(), d.bodyCrc(), queueOffset, commitLogOffset, storeTimestamp);
        Entry e = new Entry(topic, queueId, queueOffset, commitLogOffset, MessageDraft.tagsCodeOf(props),
            storeTimestamp, Map.copyOf(props), buf.array());
        q.entries.add(e);
        log.put(commitLogOffset, e);
        writePosition += e.bytes().length;
        return commitLogOffset;
    }

    /** Retention: the queue's messages below {@code queueOffset} are gone (from the queue and the log). */
    public synchronized void dropBefore(String topic, int queueId, long queueOffset) {
        Queue q = queue(topic, queueId);
        if (q == null) {
            throw new IllegalArgumentException("no queue " + topic + "-" + queueId);
        }
        q.min = Math.max(q.min, Math.min(queueOffset, q.max()));
    }

    private Queue queue(String topic, int queueId) {
        Map<Integer, Queue> m = queues.get(topic);
        return m == null ? null : m.get(queueId);
    }

    /** The entry at a queue offset if it is still stored, else null. */
    private Entry entry(String topic, int queueId, long queueOffset) {
        Queue q = queue(topic, queueId);
        if (q == null || queueOffset < q.min || queueOffset >= q.max()) {
            return null;
        }
        return q.entries.get((int) queueOffset);
    }

    private boolean stored(Entry e) {
        return e.queueOffset() >= queue(e.topic(), e.queueId()).min;
    }

    @Override
    public synchronized GetResult get(String topic, int queueId, long offset, int maxCount, int maxBytes,
                                      MessageFilter filter) {
        Queue q = queue(topic, queueId);
        if (q == null) {
            return GetResult.outOfRange(offset, 0, 0);
        }
        long min = q.min;
        long max = q.max();
        GetResult unreadable = GetResult.outOfRange(offset, min, max);
        if (unreadable != null) {
            return unreadable;
        }
        int byteLimit = Math.min(maxBytes <= 0 ? MessageStore.MAX_BYTES_PER_READ : maxBytes,
            MessageStore.MAX_BYTES_PER_READ);
        List<ByteBuffer> found = new ArrayList<>();
        long next = offset;
        int bytes = 0;
        int scanned = 0;
        while (next < max && found.size() < maxCount && scanned < MessageStore.MAX_ENTRIES_SCANNED_PER_READ) {
            Entry e = q.entries.get((int) next);
            if (!found.isEmpty() && bytes + e.bytes().length > byteLimit) {
                break;
            }
            scanned++;
            next++;
            if (!filter.matchesTagsCode(e.tagsCode())) {
                continue;
            }
            ByteBuffer record = ByteBuffer.wrap(e.bytes()).asReadOnlyBuffer();
            if (!filter.matchesRecord(record.duplicate())) {
                continue;
            }
            found.add(record);
            bytes += e.bytes().length;
        }
        GetResult.Status status = found.isEmpty() ? GetResult.Status.NO_MATCHED_MESSAGE : GetResult.Status.FOUND;
        return new GetResult(status, found, next, min, max);
    }

    @Override
    public synchronized GetResult getCopies(String topic, int queueId, long offset, int maxCount, int maxBytes,
                                            MessageFilter filter) {
        GetResult r = get(topic, queueId, offset, maxCount, maxBytes, filter);
        List<ByteBuffer> copies = new ArrayList<>();
        for (ByteBuffer b : r.records()) {
            copies.add(copyOf(b));
        }
        return new GetResult(r.status(), copies, r.nextBeginOffset(), r.minOffset(), r.maxOffset());
    }

    private static ByteBuffer copyOf(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    @Override
    public synchronized ByteBuffer recordAt(long offset) {
        Entry e = log.get(offset);
        return e == null || !stored(e) ? null : ByteBuffer.wrap(e.bytes().clone());
    }

    @Override
    public synchronized long maxOffset(String topic, int queueId) {
        Queue q = queue(topic, queueId);
        return q == null ? 0 : q.max();
    }

    @Override
    public synchronized long minOffset(String topic, int queueId) {
        Queue q = queue(topic, queueId);
        return q == null ? -1 : q.min;
    }

    @Override
    public synchronized Long tagsCodeAt(String topic, int queueId, long queueOffset) {
        Entry e = entry(topic, queueId, queueOffset);
        return e == null ? null : e.tagsCode();
    }

    @Override
    public synchronized long storeTimestamp(String topic, int queueId, long queueOffset) {
        Entry e = entry(topic, queueId, queueOffset);
        return e == null ? -1 : e.storeTimestamp();
    }

    @Override
    public synchronized long earliestStoreTimestamp(String topic, int queueId) {
        return storeTimestamp(topic, queueId, Math.max(0, minOffset(topic, queueId)));
    }

    /**
     * LOWER: the first offset stored at or after {@code timestamp} (the max offset if none); UPPER: the last
     * stored at or before it (the min offset if none). A linear scan, so
     * it needs no ordering of store times.
     */
    @Override
    public synchronized long offsetForTimestamp(String topic, int queueId, long timestamp, TimeBoundary boundary) {
        Queue q = queue(topic, queueId);
        if (q == null || q.max() == 0) {
            return 0;
        }
        long lo = q.min;
        long hi = q.max() - 1;
        long first = q.max();
        for (long o = lo; o <= hi; o++) {
            if (storeTimestamp(topic, queueId, o) >= timestamp) {
                first = o;
                break;
            }
        }
        return switch (boundary) {
            case LOWER -> first;
            case UPPER -> {
                long last = lo;
                for (long o = lo; o <= hi; o++) {
                    if (storeTimestamp(topic, queueId, o) <= timestamp) {
                        last = o;
                    }
                }
                yield last;
            }
        };
    }

    /** Stored messages of {@code topic} whose UNIQ_KEY (or one of whose space-separated KEYS) is {@code key}. */
    @Override
    public synchronized List<ByteBuffer> query(String topic, String key, boolean uniqueKey, int max, long begin, long end) {
        List<ByteBuffer> out = new ArrayList<>();
        for (Entry e : log.values()) {
            if (out.size() >= max) {
                break;
            }
            if (!e.topic().equals(topic) || !stored(e) || e.storeTimestamp() < begin || e.storeTimestamp() > end) {
                continue;
            }
            boolean match = uniqueKey ? key.equals(e.props().get(MessageProperties.UNIQ_KEY))
                : e.props().containsKey(MessageProperties.KEYS)
                    && Arrays.asList(e.props().get(MessageProperties.KEYS).split(" ")).contains(key);
            if (match) {
                out.add(ByteBuffer.wrap(e.bytes().clone()));
            }
        }
        return out;
    }

    @Override
    public synchronized List<String> topics() {
        return new ArrayList<>(new TreeSet<>(queues.keySet()));
    }

    @Override
    public synchronized long commitLogWritePosition() {
        return writePosition;
    }

    /** Everything is indexed as soon as it is added. */
    @Override
    public synchronized long indexedUpTo() {
        return writePosition;
    }

    @Override
    public long commitLogMinOffset() {
        return 0;
    }
}
