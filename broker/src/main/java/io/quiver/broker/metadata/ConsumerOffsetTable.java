package io.quiver.broker.metadata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed consumer offsets by {@code topic@group} and queue (persisted in {@code config/consumerOffset.json}).
 * Updates are lock-free map writes from network threads; {@link #persist} (periodic and at shutdown)
 * writes a snapshot atomically.
 */
public final class ConsumerOffsetTable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerOffsetTable.class);

    /** The on-disk shape: {@code {"offsetTable":{"topic@group":{"0":12}}}}. */
    public static final class Snapshot {
        public Map<String, Map<Integer, Long>> offsetTable = new TreeMap<>();
    }

    private final Path file;
    private final Map<String, Map<Integer, Long>> offsets = new ConcurrentHashMap<>();
    private volatile boolean dirty;
    /**
     * On a replica: commits consumers made here (while its master was away) and the master has not taken yet,
     * by "topic@group" and queue. Bounded like the table itself (pairs × the topic's queues).
     */
    private final Map<String, Map<Integer, Long>> unsynced = new ConcurrentHashMap<>();
    private volatile boolean trackLocalCommits;

    private final int limit;

    /** @param limit most (topic, group) pairs with offsets (maxConsumerOffsetEntries); more are refused */
    public ConsumerOffsetTable(Path configDir, int limit) {
        this.file = configDir.resolve("consumerOffset.json");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }

    /** (topic, group) pairs holding offsets. */
    public int size() {
        return offsets.size();
    }

    private static String key(String topic, String group) {
        return topic + "@" + group;
    }

    public void load() {
        try {
            Snapshot s = JsonFile.read(file, Snapshot.class);
            if (s != null) {
                s.offsetTable.forEach((k, v) -> offsets.put(k, new ConcurrentHashMap<>(v)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The committed offset, or -1 if the group has none for this queue. */
    public long get(String group, String topic, int queueId) {
        Map<Integer, Long> m = offsets.get(key(topic, group));
        Long v = m == null ? null : m.get(queueId);
        return v == null ? -1 : v;
    }

    /** True when a commit for this (topic, group) pair would be accepted now (the pair exists or there is room). */
    public boolean canCommit(String group, String topic) {
        return offsets.containsKey(key(topic, group)) || offsets.size() < limit;
    }

    /**
     * Records a committed offset; false (nothing changed) when it would add a (topic, group) pair beyond
     * the limit. Queues per pair are bounded by the topic's queue count, which callers check.
     */
    public boolean commit(String group, String topic, int queueId, long offset) {
        String k = key(topic, group);
        Map<Integer, Long> m = offsets.get(k);
        if (m == null) {
            if (offsets.size() >= limit) {
                return false;
            }
            m = offsets.computeIfAbsent(k, x -> new ConcurrentHashMap<>());
        }
        m.put(queueId, offset);
        dirty = true;
        if (trackLocalCommits) {
            unsynced.computeIfAbsent(k, x -> new ConcurrentHashMap<>()).put(queueId, offset);
        }
        return true;
    }

    /** A replica keeps the commits made on it apart until its master has them ({@link #unsynced}). */
    public void trackLocalCommits(boolean on) {
        this.trackLocalCommits = on;
    }

    /** The whole table, as GET_ALL_CONSUMER_OFFSET answers it. */
    public Snapshot snapshot() {
        Snapshot s = new Snapshot();
        offsets.forEach((k, v) -> s.offsetTable.put(k, new TreeMap<>(v)));
        return s;
    }

    /** Replica: visits the commits made here that the master does not have yet. */
    public void forEachUnsynced(OffsetVisitor visitor) {
        unsynced.forEach((k, m) -> {
            int at = k.lastIndexOf('@');
            m.forEach((q, off) -> visitor.visit(k.substring(at + 1), k.substring(0, at), q, off));
        });
    }

    /** Replica: the master now has this commit; forgets it unless a newer one was made meanwhile. */
    public void synced(String group, String topic, int queueId, long offset) {
        Map<Integer, Long> m = unsynced.get(key(topic, group));
        if (m != null) {
            m.remove(queueId, offset);
            if (m.isEmpty()) {
                unsynced.remove(key(topic, group), m);
            }
        }
    }

    /**
     * Replica: takes the master's offsets, except for queues where a commit made here is still on its way to
     * the master (that one is newer). Entries the master does not have are kept.
     */
    public void adopt(Snapshot master) {
        master.offsetTable.forEach((k, queues) -> {
            if (queues == null) {
                return;
            }
            Map<Integer, Long> pending = unsynced.get(k);
            Map<Integer, Long> m = offsets.get(k);
            if (m == null) {
                if (offsets.size() >= limit) {
                    return;
                }
                m = offsets.computeIfAbsent(k, x -> new ConcurrentHashMap<>());
            }
            for (Map.Entry<Integer, Long> e : queues.entrySet()) {
                if ((pending == null || !pending.containsKey(e.getKey())) && !e.getValue().equals(m.get(e.getKey()))) {
                    m.put(e.getKey(), e.getValue());
                    dirty = true;
                }
            }
        });
    }

    /** Every queue offset the group has on {@code topic}. */
    public Map<Integer, Long> offsetsOf(String group, String topic) {
        Map<Integer, Long> m = offsets.get(key(topic, group));
        return m == null ? Map.of() : new TreeMap<>(m);
    }

    /** Topics on which {@code group} has committed offsets. */
    public Set<String> topicsOf(String group) {
        Set<String> topics = new HashSet<>();
        String suffix = "@" + group;
        for (String k : offsets.keySet()) {
            if (k.endsWith(suffix)) {
                topics.add(k.substring(0, k.length() - suffix.length()));
            }
        }
        return topics;
    }

    /** Visits every committed (group, topic, queue, offset); the view is weakly consistent. */
    public void forEachOffset(OffsetVisitor visitor) {
        offsets.forEach((k, m) -> {
            int at = k.lastIndexOf('@');
            String topic = k.substring(0, at);
            String group = k.substring(at + 1);
            m.forEach((q, off) -> visitor.visit(group, topic, q, off));
        });
    }

    /** Receives one committed offset. */
    @FunctionalInterface
    public interface OffsetVisitor {
        void visit(String group, String topic, int queueId, long offset);
    }

    public void removeGroup(String group) {
        offsets.keySet().removeIf(k -> k.endsWith("@" + group));
        dirty = true;
    }

    public void removeTopic(String topic) {
        offsets.keySet().removeIf(k -> k.startsWith(topic + "@"));
        dirty = true;
    }

    /** Writes the table if it changed since the last write. Called by one scheduler thread and at shutdown. */
    public synchronized void persist() {
        if (!dirty) {
            return;
        }
        dirty = false;
        Snapshot s = snapshot();
        try {
            JsonFile.write(file, s);
        } catch (IOException e) {
            dirty = true;
            log.error("cannot write {}; offsets stay in memory and are retried", file, e);
        }
    }
}
