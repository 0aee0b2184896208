package io.quiver.broker.failover;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A controller-mode master's next step with its in-sync set, decided from what it knows now: the set the
 * controllers hold, the replicas it is adding, and each connected replica's progress. Pure: no clock, no I/O.
 * Removals come first (a member that is gone holds every send until the controllers agree it left); a replica
 * joins in two steps: sends start waiting for it ({@link Join}), and once it confirmed the end it had then, the
 * change is proposed.
 */
public final class InSyncPlanner {
    /** What a connected replica has confirmed, as the master sees it. */
    public record Replica(long ackedOffset, long lagBytes, long millisSinceAck) {}

    /** The step to take. */
    public sealed interface Step {}

    /** Ask the controllers for this in-sync set. */
    public record Propose(Set<Long> set) implements Step {}

    /** Start waiting for this replica on every send, then note the end it must confirm. */
    public record Join(long brokerId) implements Step {}

    /** These replicas being added went away: stop waiting for them. */
    public record ForgetJoining(Set<Long> brokerIds) implements Step {}

    /** Nothing to change. */
    public record Nothing() implements Step {}

    private final long self;
    private final long maxNotCatchUpMillis;
    private final long catchUpBytes;

    /**
     * @param maxNotCatchUpMillis a member behind the master for longer than this without confirming anything leaves
     * @param catchUpBytes        a replica this close to the master's end may join
     */
    public InSyncPlanner(long self, long maxNotCatchUpMillis, long catchUpBytes) {
        this.self = self;
        this.maxNotCatchUpMillis = maxNotCatchUpMillis;
        this.catchUpBytes = catchUpBytes;
    }

    /**
     * @param committed  the set the controllers hold (this master included)
     * @param joining    replicas being added, with the end each must confirm ({@link Long#MAX_VALUE} until known)
     * @param live       connected replicas by brokerId
     * @param registered the brokerIds registered with the controllers
     */
    public Step next(Set<Long> committed, Map<Long, Long> joining, Map<Long, Replica> live, Set<Long> registered) {
        Set<Long> kept = new TreeSet<>(committed);
        for (long id : committed) {
            if (id == self) {
                continue;
            }
            Replica r = live.get(id);
            if (r == null || (r.lagBytes() > 0 && r.millisSinceAck() > maxNotCatchUpMillis)) {
                kept.remove(id);
            }
        }
        if (!kept.equals(committed)) {
            return new Propose(kept);
        }
        Set<Long> gone = new HashSet<>(joining.keySet());
        gone.removeAll(live.keySet());
        if (!gone.isEmpty()) {
            return new ForgetJoining(gone);
        }
        for (Map.Entry<Long, Long> j : joining.entrySet()) {
            if (live.get(j.getKey()).ackedOffset() >= j.getValue()) {
                Set<Long> grown = new TreeSet<>(committed);
                grown.add(j.getKey());
                return new Propose(grown);
            }
        }
        for (Map.Entry<Long, Replica> e : new java.util.TreeMap<>(live).entrySet()) {
            long id = e.getKey();
            Replica r = e.getValue();
            if (id != self && !committed.contains(id) && !joining.containsKey(id) && registered.contains(id)
                && r.ackedOffset() >= 0 && r.lagBytes() <= catchUpBytes) {
                return new Join(id);
            }
        }
        return new Nothing();
    }
}
