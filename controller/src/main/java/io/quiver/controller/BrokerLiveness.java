package io.quiver.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which brokers the leading controller heard from recently, with the log end each reported: not replicated (a
 * new leader starts empty and waits one timeout before it judges anyone), owned by the controller's one
 * liveness thread, and told the time by its caller so tests control it. From it and the replicated state,
 * {@link #elections} says which groups need a new master, as the {@link ControllerCommand.Elect} commands to
 * propose.
 */
public final class BrokerLiveness {
    /** Most brokers tracked; heartbeats of others are ignored (and counted) until some expire. */
    public static final int MAX_BROKERS = ControllerState.MAX_GROUPS;

    private record Beat(long atMillis, long logEnd) {}

    private final long timeoutMillis;
    private long startedMillis;
    private final Map<String, Map<Long, Beat>> beats = new HashMap<>();
    /** When this controller first heard from some broker of each group (entries leave with the group's beats). */
    private final Map<String, Long> firstHeard = new HashMap<>();
    private int tracked;
    private long ignored;

    /**
     * @param timeoutMillis a broker not heard from for this long is dead
     * @param nowMillis     when this controller started tracking (it judges nobody before one timeout has passed)
     */
    public BrokerLiveness(long timeoutMillis, long nowMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("the heartbeat timeout must be positive, not " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
        this.startedMillis = nowMillis;
    }

    private static String key(String cluster, String brokerName) {
        return cluster + "/" + brokerName;
    }

    /** This controller just became the leader: it judges nobody until one more timeout has passed. */
    public void restartJudging(long nowMillis) {
        startedMillis = nowMillis;
    }

    /** A broker's heartbeat with the end of its commit log. */
    public void heartbeat(String cluster, String brokerName, long brokerId, long logEnd, long nowMillis) {
        Map<Long, Beat> group = beats.get(key(cluster, brokerName));
        if (group == null || !group.containsKey(brokerId)) {
            if (tracked >= MAX_BROKERS) {
                ignored++;
                return;
            }
            tracked++;
            group = beats.computeIfAbsent(key(cluster, brokerName), k -> new HashMap<>());
            firstHeard.putIfAbsent(key(cluster, brokerName), nowMillis);
        }
        group.put(brokerId, new Beat(nowMillis, logEnd));
    }

    /** Heartbeats dropped because {@link #MAX_BROKERS} brokers are already tracked. */
    public long ignored() {
        return ignored;
    }

    /** The brokers of a group heard from within the timeout, with their reported log ends. */
    public Map<Long, Long> alive(String cluster, String brokerName, long nowMillis) {
        Map<Long, Long> out = new HashMap<>();
        Map<Long, Beat> group = beats.get(key(cluster, brokerName));
        if (group != null) {
            group.forEach((id, b) -> {
                if (nowMillis - b.atMillis() < timeoutMillis) {
                    out.put(id, b.logEnd());
                }
            });
        }
        return out;
    }

    /**
     * The elections to propose now: one for each group whose master is not alive (or which has none) while some of
     * its replicas are. Nothing during the first timeout after start, when silence proves nothing yet.
     */
    public List<ControllerCommand.Elect> elections(List<GroupState> groups, boolean allowUnclean, long nowMillis) {
        List<ControllerCommand.Elect> out = new ArrayList<>();
        if (nowMillis - startedMillis < timeoutMillis) {
            return out;
        }
        for (GroupState g : groups) {
            Map<Long, Long> alive = alive(g.cluster(), g.brokerName(), nowMillis);
            alive.keySet().retainAll(g.replicas().keySet());
            if (alive.isEmpty() || g.hasMaster() && alive.containsKey(g.masterId())) {
                continue;
            }
            if (g.neverHadMaster() && alive.size() < g.replicas().size()
                && nowMillis - firstHeard.getOrDefault(key(g.cluster(), g.brokerName()), nowMillis) < timeoutMillis) {
                continue; // a new group waits a little for all its replicas, so the longest log of them all is chosen
            }
            out.add(new ControllerCommand.Elect(g.cluster(), g.brokerName(), alive, allowUnclean));
        }
        return out;
    }

    /** Forgets brokers silent for ten timeouts, so the bound holds as brokers come and go. */
    public void forgetLongSilent(long nowMillis) {
        for (var it = beats.values().iterator(); it.hasNext(); ) {
            Map<Long, Beat> group = it.next();
            int before = group.size();
            group.values().removeIf(b -> nowMillis - b.atMillis() >= 10 * timeoutMillis);
            tracked -= before - group.size();
            if (group.isEmpty()) {
                it.remove();
            }
        }
        firstHeard.keySet().retainAll(beats.keySet());
    }
}
