package io.quiver.controller;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's replicated state: every broker group it knows, and the rules by which commands change it.
 * Deterministic (no clock, no randomness, no I/O), so every controller that applies the same commands in the same
 * order holds the same state. Single-threaded: the state machine's apply thread owns it; readers get immutable
 * {@link GroupState} values.
 */
public final class ControllerState {
    /** Most broker groups one controller keeps; registration of another is refused. */
    public static final int MAX_GROUPS = 10_000;
    /**
     * The lowest brokerId the controller assigns (as RocketMQ's controller does): id 0 is how the name servers and
     * clients know whichever replica is the master now.
     */
    public static final long FIRST_BROKER_ID = 1;
    /** Most replicas in one group. */
    public static final int MAX_REPLICAS = 16;

    /** What applying a command did: the group afterwards, or why the command was refused (state unchanged). */
    public record Result(GroupState group, String refusal, long assignedId) {
        static Result ok(GroupState g) {
            return new Result(g, null, -1);
        }

        static Result refused(GroupState g, String why) {
            return new Result(g, why, -1);
        }

        public boolean accepted() {
            return refusal == null;
        }
    }

    private final Map<String, GroupState> groups = new HashMap<>();

    private static String key(String cluster, String brokerName) {
        return cluster + "/" + brokerName;
    }

    public Optional<GroupState> group(String cluster, String brokerName) {
        return Optional.ofNullable(groups.get(key(cluster, brokerName)));
    }

    /** Every group (a snapshot's content). */
    public java.util.List<GroupState> groups() {
        return List.copyOf(groups.values());
    }

    /** Replaces the whole state with a snapshot's groups. */
    public void restore(java.util.Collection<GroupState> snapshot) {
        groups.clear();
        for (GroupState g : snapshot) {
            groups.put(key(g.cluster(), g.brokerName()), g);
        }
    }

    public int groupCount() {
        return groups.size();
    }

    public Result apply(ControllerCommand c) {
        String k = key(c.cluster(), c.brokerName());
        GroupState g = groups.get(k);
        if (g == null) {
            if (!(c instanceof ControllerCommand.Register)) {
                return Result.refused(null, "broker group " + c.brokerName() + " of cluster " + c.cluster()
                    + " is unknown: no broker of it has registered");
            }
            if (groups.size() >= MAX_GROUPS) {
                return Result.refused(null, "this controller already keeps " + MAX_GROUPS + " broker groups");
            }
            g = GroupState.empty(c.cluster(), c.brokerName());
        }
        Result r;
        if (c instanceof ControllerCommand.Register reg) {
            r = register(g, reg);
        } else if (c instanceof ControllerCommand.Elect e) {
            r = elect(g, e);
        } else {
            r = alterInSync(g, (ControllerCommand.AlterInSync) c);
        }
        if (r.accepted()) {
            groups.put(k, r.group());
        }
        return r;
    }

    private static Result register(GroupState g, ControllerCommand.Register reg) {
        for (Map.Entry<Long, String> e : g.replicas().entrySet()) {
            if (e.getValue().equals(reg.address())) {
                return new Result(g, null, e.getKey()); // a broker coming back keeps its id
            }
        }
        long id = reg.preferredId();
        if (id < 0 || g.replicas().containsKey(id)) {
            id = FIRST_BROKER_ID;
            while (g.replicas().containsKey(id)) {
                id++;
            }
        }
        if (g.replicas().size() >= MAX_REPLICAS) {
            return Result.refused(g, "broker group " + g.brokerName() + " already has " + MAX_REPLICAS + " replicas");
        }
        return new Result(g.withReplica(id, reg.address()), null, id);
    }

    /**
     * Keeps a live master; otherwise elects the candidate with the longest log among the live in-sync members
     * (ties: the lowest id). A group that never had a master may elect any live replica. With none eligible the
     * group is left without a master, and its epoch still moves on so the deposed master is fenced.
     */
    private static Result elect(GroupState g, ControllerCommand.Elect e) {
        if (g.hasMaster() && e.alive().containsKey(g.masterId())) {
            return Result.refused(g, "broker " + g.masterId() + " is the master and alive");
        }
        boolean anyReplica = g.neverHadMaster() || e.allowUnclean();
        Optional<Long> chosen = e.alive().entrySet().stream()
            .filter(c -> g.replicas().containsKey(c.getKey()))
            .filter(c -> anyReplica || g.inSync().contains(c.getKey()))
            .max(Comparator.<Map.Entry<Long, Long>>comparingLong(Map.Entry::getValue)
                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
            .map(Map.Entry::getKey);
        if (chosen.isEmpty()) {
            if (!g.hasMaster()) {
                return Result.refused(g, "no live replica of broker group " + g.brokerName() + " is in sync "
                    + g.inSync() + (e.allowUnclean() ? "" : " (enableElectUncleanMaster is off)"));
            }
            return Result.ok(g.withMaster(GroupState.NO_MASTER));
        }
        return Result.ok(g.withMaster(chosen.get()));
    }

    private static Result alterInSync(GroupState g, ControllerCommand.AlterInSync a) {
        if (!g.hasMaster() || g.masterId() != a.masterId() || g.masterEpoch() != a.masterEpoch()) {
            return Result.refused(g, "broker " + a.masterId() + " of epoch " + a.masterEpoch() + " is not the master of "
                + g.brokerName() + " (the master is " + g.masterId() + " of epoch " + g.masterEpoch() + ")");
        }
        if (!a.inSync().contains(a.masterId())) {
            return Result.refused(g, "an in-sync set must contain its master " + a.masterId());
        }
        if (!g.replicas().keySet().containsAll(a.inSync())) {
            return Result.refused(g, "the in-sync set " + a.inSync() + " names brokers that have not registered");
        }
        if (a.inSync().equals(g.inSync())) {
            return Result.ok(g);
        }
        return Result.ok(g.withInSync(a.inSync()));
    }
}
