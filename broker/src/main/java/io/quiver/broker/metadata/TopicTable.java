package io.quiver.broker.metadata;

import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.body.TopicConfigTable;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's topics (persisted in {@code config/topics.json} and its journal): at most {@link #limit()}
 * ordinary topics, and apart from them at most {@code groupTopicLimit} retry and dead-letter topics (one of
 * each per consumer group, so groups can never crowd ordinary topics out). Reads are lock-free; changes are
 * synchronized, bump the data version and are journalled in the background ({@link Persister}: one line per
 * change), so creating a topic costs the same with ten topics or ten thousand. Admin changes and sends that
 * created their topic wait for that write through the future {@link #put} returns.
 */
public final class TopicTable extends JournalledTable {
    private static final Logger log = LoggerFactory.getLogger(TopicTable.class);

    private final Path file;
    private final Map<String, TopicConfig> topics = new ConcurrentHashMap<>();
    private volatile DataVersion dataVersion = new DataVersion(System.currentTimeMillis(), 0);
    private final int limit;
    private final int groupTopicLimit;
    /** Ordinary topics and retry/dead-letter topics held now; changed under the monitor. */
    private int ordinary;
    private int groupTopics;

    /** A table allowing {@code limit} ordinary topics and as many retry and dead-letter topics. */
    public TopicTable(Path configDir, int limit) {
        this(configDir, limit, limit);
    }

    /**
     * @param limit           most ordinary topics (maxTopicCount); creating more is refused
     * @param groupTopicLimit most retry and dead-letter topics ({@code %RETRY%}, {@code %DLQ%})
     */
    public TopicTable(Path configDir, int limit, int groupTopicLimit) {
        super(configDir.resolve("topics.json"));
        this.file = configDir.resolve("topics.json");
        this.limit = limit;
        this.groupTopicLimit = groupTopicLimit;
    }

    /** Ordinary topics held (retry and dead-letter topics are counted apart). */
    public synchronized int size() {
        return ordinary;
    }

    /** Why {@code topic} cannot be created now: its name is not valid, or the limit it runs into, named. */
    public synchronized String limitRemark(String topic) {
        String invalid = TopicNames.validateCreatable(topic);
        if (invalid != null) {
            return invalid;
        }
        return ofGroup(topic)
            ? "the broker holds " + groupTopics + " retry and dead-letter topics, its limit (" + groupTopicLimit
                + ": one of each per consumer group, maxSubscriptionGroupCount)"
            : "the broker holds " + ordinary + " topics, its limit (maxTopicCount=" + limit + ")";
    }

    private static boolean ofGroup(String topic) {
        return TopicNames.isRetry(topic) || TopicNames.isDlq(topic);
    }

    private void count(String topic, int delta) {
        if (ofGroup(topic)) {
            groupTopics += delta;
        } else {
            ordinary += delta;
        }
    }

    public int limit() {
        return limit;
    }


    public synchronized void load(boolean autoCreateTopicEnable, int defaultQueueNums) {
        try {
            TopicConfigTable t = JsonFile.read(file, TopicConfigTable.class);
            if (t != null) {
                topics.putAll(t.topicConfigTable);
                if (t.dataVersion != null) {
                    dataVersion = t.dataVersion;
                }
            }
            persister.replay((name, value, dv) -> {
                if (value == null) {
                    topics.remove(name);
                } else {
                    topics.put(name, Json.mapper().treeToValue(value, TopicConfig.class));
                }
                dataVersion = dv;
            });
            topics.keySet().forEach(name -> count(name, 1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        // The auto-create template (fact sheet §11.1): perm 7 lets producers create topics through it.
        TopicConfig template = new TopicConfig(TopicNames.AUTO_CREATE_TEMPLATE, defaultQueueNums,
            autoCreateTopicEnable ? PermName.READ_WRITE | PermName.INHERIT : PermName.READ_WRITE);
        TopicConfig existing = topics.get(TopicNames.AUTO_CREATE_TEMPLATE);
        if (existing == null || existing.perm != template.perm || existing.readQueueNums != defaultQueueNums) {
            put(template);
        }
        if (!autoCreateTopicEnable) {
            // Without auto-creation the template must not be advertised as inheritable.
            topics.computeIfPresent(TopicNames.AUTO_CREATE_TEMPLATE, (k, v) -> template);
        }
    }

    public TopicConfig get(String topic) {
        return topics.get(topic);
    }

    public Map<String, TopicConfig> all() {
        return topics;
    }

    public DataVersion dataVersion() {
        return dataVersion;
    }

    /**
     * Adds or replaces a topic; null when it is new and the table is at its limit. The future completes
     * once the change is on disk.
     */
    public synchronized java.util.concurrent.CompletableFuture<Void> put(TopicConfig config) {
        boolean added = !topics.containsKey(config.topicName);
        if (added && (ofGroup(config.topicName) ? groupTopics >= groupTopicLimit : ordinary >= limit)) {
            return null;
        }
        topics.put(config.topicName, config);
        if (added) {
            count(config.topicName, 1);
        }
        return bump(config.topicName, config);
    }

    /**
     * Creates the topic with {@code queues} queues if absent; returns the existing or new config, or null
     * when the table is at its limit or the name is not valid ({@link #limitRemark} says which). Does not wait
     * for the disk (the send path calls it).
     */
    public synchronized TopicConfig createIfAbsent(String topic, int queues, int perm) {
        TopicConfig existing = topics.get(topic);
        if (existing != null) {
            return existing;
        }
        String invalid = TopicNames.validateCreatable(topic);
        if (invalid != null) {
            // Topics name store directories: a name from a client (a group's retry topic, say) must be checked
            // here, whoever asks, before a path is made of it.
            log.warn("topic not created: {}", invalid);
            return null;
        }
        TopicConfig c = new TopicConfig(topic, queues, perm);
        if (put(c) == null) {
            log.warn("topic {} not created: the broker is at its topic limit", topic);
            return null;
        }
        log.info("topic created: {} with {} queues", topic, queues);
        return c;
    }

    /**
     * Replica: makes this table its master's: topics that differ are taken, topics the master no longer has
     * are removed. Returns how many changed.
     */
    public synchronized int adopt(TopicConfigTable master) {
        int changed = 0;
        for (TopicConfig c : master.topicConfigTable.values()) {
            if (c == null || c.topicName == null) {
                continue;
            }
            TopicConfig mine = topics.get(c.topicName);
            if ((mine == null || !Json.encodeToString(mine).equals(
                Json.encodeToString(c))) && put(c) != null) {
                changed++;
            }
        }
        for (String name : new java.util.ArrayList<>(topics.keySet())) {
            if (!master.topicConfigTable.containsKey(name) && delete(name) != null) {
                changed++;
            }
        }
        return changed;
    }

    /** Removes a topic; the future completes once that is on disk, null if there was no such topic. */
    public synchronized java.util.concurrent.CompletableFuture<Void> delete(String topic) {
        boolean removed = topics.remove(topic) != null;
        if (removed) {
            count(topic, -1);
        }
        return removed ? bump(topic, null) : null;
    }

    /** A snapshot for registration with name servers and GET_ALL_TOPIC_CONFIG. */
    public synchronized TopicConfigTable snapshot(int brokerPermission) {
        TopicConfigTable t = new TopicConfigTable();
        topics.forEach((name, c) -> {
            TopicConfig copy = c.copy();
            if (!PermName.isWriteable(brokerPermission) || !PermName.isReadable(brokerPermission)) {
                copy.perm = c.perm & brokerPermission;
            }
            t.topicConfigTable.put(name, copy);
        });
        t.dataVersion = dataVersion.copy();
        return t;
    }

    private java.util.concurrent.CompletableFuture<Void> bump(String topic, TopicConfig now) {
        dataVersion = new DataVersion(System.currentTimeMillis(), dataVersion.counter + 1);
        return persister.changed(topic, now, dataVersion);
    }

    @Override
    protected Object diskSnapshot() {
        TopicConfigTable t = new TopicConfigTable();
        t.topicConfigTable.putAll(topics);
        t.dataVersion = dataVersion;
        return t;
    }
}
