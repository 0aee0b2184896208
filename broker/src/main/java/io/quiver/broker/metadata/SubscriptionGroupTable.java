package io.quiver.broker.metadata;

import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Consumer-group settings (persisted in {@code config/subscriptionGroup.json}); changes are synchronized. */
public final class SubscriptionGroupTable {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionGroupTable.class);

    /** The on-disk and GET_ALL_SUBSCRIPTIONGROUP_CONFIG shape. */
    public static final class Snapshot {
        public Map<String, SubscriptionGroupConfig> subscriptionGroupTable = new TreeMap<>();
        public DataVersion dataVersion = new DataVersion();
    }

    private final Path file;
    private final Map<String, SubscriptionGroupConfig> groups = new ConcurrentHashMap<>();
    private volatile DataVersion dataVersion = new DataVersion(System.currentTimeMillis(), 0);

    public SubscriptionGroupTable(Path configDir) {
        this.file = configDir.resolve("subscriptionGroup.json");
    }

    public synchronized void load() {
        try {
            Snapshot s = JsonFile.read(file, Snapshot.class);
            if (s != null) {
                groups.putAll(s.subscriptionGroupTable);
                dataVersion = s.dataVersion == null ? dataVersion : s.dataVersion;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public SubscriptionGroupConfig get(String group) {
        return groups.get(group);
    }

    /** The group's config, created with defaults when {@code autoCreate}; null if absent otherwise. */
    public SubscriptionGroupConfig findOrCreate(String group, boolean autoCreate) {
        SubscriptionGroupConfig c = groups.get(group);
        if (c != null || !autoCreate) {
            return c;
        }
        synchronized (this) {
            c = groups.get(group);
            if (c == null) {
                c = new SubscriptionGroupConfig(group);
                groups.put(group, c);
                persist();
                log.info("consumer group created: {}", group);
            }
            return c;
        }
    }

    public synchronized void put(SubscriptionGroupConfig config) {
        groups.put(config.groupName, config);
        persist();
    }

    public synchronized boolean delete(String group) {
        boolean removed = groups.remove(group) != null;
        if (removed) {
            persist();
        }
        return removed;
    }

    public synchronized Snapshot snapshot() {
        Snapshot s = new Snapshot();
        s.subscriptionGroupTable.putAll(groups);
        s.dataVersion = dataVersion.copy();
        return s;
    }

    private void persist() {
        dataVersion = new DataVersion(System.currentTimeMillis(), dataVersion.counter + 1);
        try {
            JsonFile.write(file, snapshot());
        } catch (IOException e) {
            log.error("cannot write {}; the group change is kept in memory only", file, e);
        }
    }
}
