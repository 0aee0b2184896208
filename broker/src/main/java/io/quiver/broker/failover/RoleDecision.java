package io.quiver.broker.failover;

import java.util.Objects;

/**
 * What a controller-mode broker does on the controllers' newest view of its group: keep its role, become the
 * master of the view's epoch, or follow the view's master (or nobody, while the group has none). Pure.
 */
public final class RoleDecision {
    private RoleDecision() {}

    /** The roles a broker can run in. */
    public enum Role { NONE, REPLICA, MASTER }

    /** The role to take: {@code masterHa} (null for "nobody yet") and {@code epoch} matter for a replica. */
    public record Change(Role role, String masterHa, long epoch) {
        static final Change KEEP = new Change(null, null, -1);

        public boolean keep() {
            return role == null;
        }
    }

    /**
     * @param self       this broker's id
     * @param role       the role it runs in now, of {@code roleEpoch}, following {@code followedHa} as a replica
     * @param masterId   the view's master (-1: none), at {@code masterHa} for replication, elected in {@code epoch}
     */
    public static Change decide(long self, Role role, long roleEpoch, String followedHa, long masterId, String masterHa,
                                long epoch) {
        if (masterId == self) {
            return role == Role.MASTER && roleEpoch == epoch ? Change.KEEP : new Change(Role.MASTER, null, epoch);
        }
        if (masterId >= 0) {
            return role == Role.REPLICA && roleEpoch == epoch && Objects.equals(masterHa, followedHa) ? Change.KEEP
                : new Change(Role.REPLICA, masterHa, epoch);
        }
        // no master: a deposed master stops; a replica stops following the deposed one
        return role == Role.MASTER || role == Role.NONE || roleEpoch < epoch ? new Change(Role.REPLICA, null, epoch)
            : Change.KEEP;
    }
}
