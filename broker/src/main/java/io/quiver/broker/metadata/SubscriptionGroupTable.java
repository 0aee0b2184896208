package io.quiver.broker.metadata;

import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group settings (persisted in {@code config/subscriptionGroup.json} and its journal), at most
 * {@link #limit()} groups. Reads are lock-free; changes are synchronized and journalled in the background
 * ({@link Persister}), so creating a group costs the same with ten groups or ten thousand.
 */
public final class SubscriptionGroupTable extends JournalledTable {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionGroupTable.class);

    /** The on-disk and GET_ALL_SUBSCRIPTIONGROUP_CONFIG shape. */
    public static final class Snapshot {
        public Map<String, SubscriptionGroupConfig> subscriptionGroupTable = new TreeMap<>();
        public DataVersion dataVersion = new DataVersion();
    }

    private final Path file;
    private final Map<String, SubscriptionGroupConfig> groups = new ConcurrentHashMap<>();
    private volatile DataVersion dataVersion = new DataVersion(System.currentTimeMillis(), 0);

    private final int limit;

    /** @param limit most groups the table holds (maxSubscriptionGroupCount); creating more is refused */
    public SubscriptionGroupTable(Path configDir, int limit) {
        super(configDir.resolve("subscriptionGroup.json"));
        this.file = configDir.resolve("subscriptionGroup.json");
        this.limit = limit;
    }

    public int size() {
        return groups.size();
    }

    public int limit() {
        return limit;
    }


    /** The remark for a group that does not exist and may not be created now. */
    public String missingRemark(String group, boolean autoCreate) {
        String invalid = io.quiver.protocol.message.TopicNames.validateGroup(group);
        if (invalid != null) {
            return "no consumer group can be named so: " + invalid;
        }
        return "consumer group " + group + " does not exist on this broker"
            + (!autoCreate ? " and autoCreateSubscriptionGroup is false"
                : "; it cannot be created: the broker holds " + groups.size() + " groups, its limit (maxSubscriptionGroupCount="
                    + limit + ")");
    }

    public synchronized void load() {
        try {
            Snapshot s = JsonFile.read(file, Snapshot.class);
            if (s != null) {
                groups.putAll(s.subscriptionGroupTable);
                dataVersion = s.dataVersion == null ? dataVersion : s.dataVersion;
            }
            persister.replay((name, value, dv) -> {
                if (value == null) {
                    groups.remove(name);
                } else {
                    groups.put(name, Json.mapper().treeToValue(value, SubscriptionGroupConfig.class));
                }
                dataVersion = dv;
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public SubscriptionGroupConfig get(String group) {
        return groups.get(group);
    }

    /**
     * The group's config, created with defaults when {@code autoCreate}; null if absent otherwise, at the limit,
     * or when the name is not a valid group name (its retry topic would name a store directory).
     */
    public SubscriptionGroupConfig findOrCreate(String group, boolean autoCreate) {
        SubscriptionGroupConfig c = groups.get(group);
        if (c != null || !autoCreate || io.quiver.protocol.message.TopicNames.validateGroup(group) != null) {
            return c;
        }
        synchronized (this) {
            c = groups.get(group);
            if (c == null) {
                if (groups.size() >= limit) {
                    return null;
                }
                c = new SubscriptionGroupConfig(group);
                groups.put(group, c);
                persist(group, c);
                log.info("consumer group created: {}", group);
            }
            return c;
        }
    }

    /** Adds or replaces a group; null when it is new and the table is at its limit, else a future of the write. */
    public synchronized java.util.concurrent.CompletableFuture<Void> put(SubscriptionGroupConfig config) {
        if (!groups.containsKey(config.groupName) && groups.size() >= limit) {
            return null;
        }
        groups.put(config.groupName, config);
        return persist(config.groupName, config);
    }

    /**
     * Replica: takes every group of its master's table whose settings differ here; groups only this broker
     * knows (created by clients' heartbeats) are kept. Returns how many changed.
     */
    public synchronized int adopt(Snapshot master) {
        int changed = 0;
        for (SubscriptionGroupConfig c : master.subscriptionGroupTable.values()) {
            if (c == null || c.groupName == null) {
                continue;
            }
            SubscriptionGroupConfig mine = groups.get(c.groupName);
            if ((mine == null || !io.quiver.protocol.body.Json.encodeToString(mine).equals(
                io.quiver.protocol.body.Json.encodeToString(c))) && put(c) != null) {
                changed++;
            }
        }
        return changed;
    }

    /** Removes a group; the future completes once that is on disk, null if there was no such group. */
    public synchronized java.util.concurrent.CompletableFuture<Void> delete(String group) {
        return groups.remove(group) != null ? persist(group, null) : null;
    }

    @Override
    protected Object diskSnapshot() {
        return snapshot();
    }

    public synchronized Snapshot snapshot() {
        Snapshot s = new Snapshot();
        s.subscriptionGroupTable.putAll(groups);
        s.dataVersion = dataVersion.copy();
        return s;
    }

    private java.util.concurrent.CompletableFuture<Void> persist(String group, SubscriptionGroupConfig now) {
        dataVersion = new DataVersion(System.currentTimeMillis(), dataVersion.counter + 1);
        return persister.changed(group, now, dataVersion);
    }
}
