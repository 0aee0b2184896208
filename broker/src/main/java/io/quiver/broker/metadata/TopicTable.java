package io.quiver.broker.metadata;

import io.quiver.protocol.body.DataVersion;
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
 * The broker's topics (persisted in {@code config/topics.json}). Reads are lock-free; changes are
 * synchronized, bump the data version and are written to disk before the method returns.
 */
public final class TopicTable {
    private static final Logger log = LoggerFactory.getLogger(TopicTable.class);

    private final Path file;
    private final Map<String, TopicConfig> topics = new ConcurrentHashMap<>();
    private volatile DataVersion dataVersion = new DataVersion(System.currentTimeMillis(), 0);

    public TopicTable(Path configDir) {
        this.file = configDir.resolve("topics.json");
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

    /** Adds or replaces a topic and persists the table. */
    public synchronized void put(TopicConfig config) {
        topics.put(config.topicName, config);
        bumpAndPersist();
    }

    /** Creates the topic with {@code queues} queues if absent; returns the existing or new config. */
    public synchronized TopicConfig createIfAbsent(String topic, int queues, int perm) {
        TopicConfig existing = topics.get(topic);
        if (existing != null) {
            return existing;
        }
        TopicConfig c = new TopicConfig(topic, queues, perm);
        put(c);
        log.info("topic created: {} with {} queues", topic, queues);
        return c;
    }

    public synchronized boolean delete(String topic) {
        boolean removed = topics.remove(topic) != null;
        if (removed) {
            bumpAndPersist();
        }
        return removed;
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

    private void bumpAndPersist() {
        dataVersion = new DataVersion(System.currentTimeMillis(), dataVersion.counter + 1);
        TopicConfigTable t = new TopicConfigTable();
        t.topicConfigTable.putAll(topics);
        t.dataVersion = dataVersion;
        try {
            JsonFile.write(file, t);
        } catch (IOException e) {
            log.error("cannot write {}; the topic change is kept in memory only", file, e);
        }
    }
}
