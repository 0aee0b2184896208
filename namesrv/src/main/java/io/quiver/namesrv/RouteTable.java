package io.quiver.namesrv;

import io.netty.channel.Channel;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.ClusterInfo;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.body.TopicList;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.message.PermName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the name server knows (fact sheet §3.1): clusters, broker groups and their addresses, each topic's
 * queues per broker group, and when each broker last registered. All access goes through one
 * read-write lock: lookups share it, registrations and expiry take it exclusively. Traffic is light (a
 * registration per broker every 30 s, a route lookup per client topic every 30 s), so one lock is enough.
 */
final class RouteTable {
    private static final Logger log = LoggerFactory.getLogger(RouteTable.class);

    private record Liveness(long lastUpdateMillis, long timeoutMillis, DataVersion dataVersion, Channel channel,
                            String brokerName, String clusterName, long brokerId, String haServerAddr) {}

    /**
     * What a replica learns when it registers: its group's live master and that master's replication address
     * (both null for a master, or while the group has no live master).
     */
    record Master(String masterAddr, String haServerAddr, String refusal) {
        static final Master NONE = new Master(null, null, null);

        Master(String masterAddr, String haServerAddr) {
            this(masterAddr, haServerAddr, null);
        }
    }

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Set<String>> clusterAddrTable = new HashMap<>();
    private final Map<String, BrokerData> brokerAddrTable = new HashMap<>();
    private final Map<String, Map<String, TopicRouteData.QueueData>> topicQueueTable = new HashMap<>();
    private final Map<String, Liveness> liveTable = new HashMap<>();
    /** Controller mode: the newest master epoch registered per broker group (entries leave with the group). */
    private final Map<String, Long> masterEpochs = new HashMap<>();

    /** Registers or refreshes a broker; topics are merged (never removed) as official name servers do. */
    void register(String cluster, String brokerName, String brokerAddr, long brokerId, DataVersion version,
                  Map<String, TopicConfig> topics, Channel channel, long nowMillis, long timeoutMillis) {
        register(cluster, brokerName, brokerAddr, brokerId, null, version, topics, channel, nowMillis, timeoutMillis);
    }

    /**
     * Registers or refreshes a broker with its replication address; returns, for a replica (brokerId above 0),
     * its group's live master.
     */
    Master register(String cluster, String brokerName, String brokerAddr, long brokerId, String haServerAddr,
                    DataVersion version, Map<String, TopicConfig> topics, Channel channel, long nowMillis,
                    long timeoutMillis) {
        return register(cluster, brokerName, brokerAddr, brokerId, haServerAddr, null, version, topics, channel, nowMillis,
            timeoutMillis);
    }

    /**
     * As above; a master registration with {@code masterEpoch} (controller mode) older than the newest this table
     * has for the group is refused and changes nothing: a deposed master cannot take the route back.
     */
    Master register(String cluster, String brokerName, String brokerAddr, long brokerId, String haServerAddr,
                    Long masterEpoch, DataVersion version, Map<String, TopicConfig> topics, Channel channel,
                    long nowMillis, long timeoutMillis) {
        lock.writeLock().lock();
        try {
            if (brokerId == 0 && masterEpoch != null) {
                Long newest = masterEpochs.get(brokerName);
                if (newest != null && masterEpoch < newest) {
                    return new Master(null, null, "broker " + brokerName + " at " + brokerAddr + " registers as master of "
                        + "epoch " + masterEpoch + ", but the master of epoch " + newest + " registered already: a deposed "
                        + "master is not routed to");
                }
                masterEpochs.put(brokerName, masterEpoch);
            }
            clusterAddrTable.computeIfAbsent(cluster, c -> new TreeSet<>()).add(brokerName);
            BrokerData bd = brokerAddrTable.computeIfAbsent(brokerName, n -> new BrokerData(cluster, n));
            bd.cluster = cluster;
            // One address appears under one id only: drop it from any other id first.
            bd.brokerAddrs.entrySet().removeIf(e -> e.getValue().equals(brokerAddr) && e.getKey() != brokerId);
            bd.brokerAddrs.put(brokerId, brokerAddr);
            Liveness prev = liveTable.get(brokerAddr);
            boolean changed = prev == null || !prev.dataVersion().equals(version);
            liveTable.put(brokerAddr, new Liveness(nowMillis, timeoutMillis, version.copy(), channel, brokerName, cluster,
                brokerId, haServerAddr));
            if (brokerId == 0 && changed && topics != null) {
                for (TopicConfig tc : topics.values()) {
                    topicQueueTable.computeIfAbsent(tc.topicName, t -> new HashMap<>()).put(brokerName,
                        new TopicRouteData.QueueData(brokerName, tc.readQueueNums, tc.writeQueueNums, tc.perm,
                            tc.topicSysFlag));
                }
            }
            if (prev == null) {
                log.info("broker registered: {} {} id {} at {}", cluster, brokerName, brokerId, brokerAddr);
            }
            if (brokerId == 0) {
                return Master.NONE;
            }
            String masterAddr = bd.brokerAddrs.get(0L);
            Liveness master = masterAddr == null ? null : liveTable.get(masterAddr);
            return master == null ? Master.NONE : new Master(masterAddr, master.haServerAddr());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Refreshes liveness if the broker's data version is unchanged; returns whether it changed. */
    boolean queryDataVersion(String brokerAddr, DataVersion version, long nowMillis) {
        lock.writeLock().lock();
        try {
            Liveness l = liveTable.get(brokerAddr);
            if (l == null || !l.dataVersion().equals(version)) {
                return true;
            }
            liveTable.put(brokerAddr, new Liveness(nowMillis, l.timeoutMillis(), l.dataVersion(), l.channel(),
                l.brokerName(), l.clusterName(), l.brokerId(), l.haServerAddr()));
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    void unregister(String brokerAddr, String why) {
        lock.writeLock().lock();
        try {
            removeAddress(brokerAddr, why);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes every broker whose registration came over {@code channel}. */
    void channelClosed(Channel channel) {
        lock.writeLock().lock();
        try {
            List<String> gone = new ArrayList<>();
            liveTable.forEach((addr, l) -> {
                if (l.channel() == channel) {
                    gone.add(addr);
                }
            });
            gone.forEach(a -> removeAddress(a, "its connection closed"));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes brokers that have not registered within their timeout. Returns how many. */
    int expire(long nowMillis) {
        lock.writeLock().lock();
        try {
            List<String> gone = new ArrayList<>();
            liveTable.forEach((addr, l) -> {
                if (nowMillis - l.lastUpdateMillis() > l.timeoutMillis()) {
                    gone.add(addr);
                }
            });
            gone.forEach(a -> removeAddress(a, "it stopped registering"));
            return gone.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeAddress(String brokerAddr, String why) {
        Liveness l = liveTable.remove(brokerAddr);
        String brokerName = l != null ? l.brokerName() : null;
        for (Iterator<BrokerData> it = brokerAddrTable.values().iterator(); it.hasNext(); ) {
            BrokerData bd = it.next();
            if (!bd.brokerAddrs.values().remove(brokerAddr)) {
                continue;
            }
            brokerName = bd.brokerName;
            if (bd.brokerAddrs.isEmpty()) {
                it.remove();
                masterEpochs.remove(bd.brokerName);
                Set<String> names = clusterAddrTable.get(bd.cluster);
                if (names != null) {
                    names.remove(bd.brokerName);
                    if (names.isEmpty()) {
                        clusterAddrTable.remove(bd.cluster);
                    }
                }
                for (Iterator<Map<String, TopicRouteData.QueueData>> t = topicQueueTable.values().iterator(); t.hasNext(); ) {
                    Map<String, TopicRouteData.QueueData> q = t.next();
                    q.remove(bd.brokerName);
                    if (q.isEmpty()) {
                        t.remove();
                    }
                }
            }
        }
        if (l != null || brokerName != null) {
            log.info("broker removed: {} at {} because {}", brokerName, brokerAddr, why);
        }
    }

    /** The route of a topic, or null if no live broker serves it. */
    TopicRouteData route(String topic) {
        lock.readLock().lock();
        try {
            Map<String, TopicRouteData.QueueData> q = topicQueueTable.get(topic);
            if (q == null || q.isEmpty()) {
                return null;
            }
            TopicRouteData r = new TopicRouteData();
            for (TopicRouteData.QueueData qd : new TreeMap<>(q).values()) {
                BrokerData bd = brokerAddrTable.get(qd.brokerName);
                if (bd != null) {
                    r.queueDatas.add(qd.copy());
                    r.brokerDatas.add(bd.copy());
                }
            }
            return r.brokerDatas.isEmpty() ? null : r;
        } finally {
            lock.readLock().unlock();
        }
    }

    ClusterInfo clusterInfo() {
        lock.readLock().lock();
        try {
            ClusterInfo ci = new ClusterInfo();
            brokerAddrTable.forEach((n, bd) -> ci.brokerAddrTable.put(n, bd.copy()));
            clusterAddrTable.forEach((c, names) -> ci.clusterAddrTable.put(c, new TreeSet<>(names)));
            return ci;
        } finally {
            lock.readLock().unlock();
        }
    }

    TopicList allTopics() {
        lock.readLock().lock();
        try {
            TopicList tl = new TopicList();
            tl.topicList.addAll(topicQueueTable.keySet());
            return tl;
        } finally {
            lock.readLock().unlock();
        }
    }

    TopicList topicsOfCluster(String cluster) {
        lock.readLock().lock();
        try {
            TopicList tl = new TopicList();
            Set<String> names = clusterAddrTable.getOrDefault(cluster, Set.of());
            topicQueueTable.forEach((topic, q) -> {
                if (q.keySet().stream().anyMatch(names::contains)) {
                    tl.topicList.add(topic);
                }
            });
            return tl;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Sets (add = true) or clears the write bit of every topic on a broker group; returns how many changed. */
    int setWritePermission(String brokerName, boolean add) {
        lock.writeLock().lock();
        try {
            int n = 0;
            for (Map<String, TopicRouteData.QueueData> q : topicQueueTable.values()) {
                TopicRouteData.QueueData qd = q.get(brokerName);
                if (qd != null) {
                    qd.perm = add ? PermName.READ_WRITE : qd.perm & ~PermName.WRITE;
                    n++;
                }
            }
            return n;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes a topic everywhere, or only from the broker groups of {@code cluster}. */
    void deleteTopic(String topic, String cluster) {
        lock.writeLock().lock();
        try {
            if (cluster == null || cluster.isEmpty()) {
                topicQueueTable.remove(topic);
                return;
            }
            Map<String, TopicRouteData.QueueData> q = topicQueueTable.get(topic);
            if (q != null) {
                q.keySet().removeAll(clusterAddrTable.getOrDefault(cluster, new HashSet<>()));
                if (q.isEmpty()) {
                    topicQueueTable.remove(topic);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
