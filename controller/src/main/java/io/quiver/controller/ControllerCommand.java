package io.quiver.controller;

import java.util.Set;

/**
 * A change to the controller's state, as it is replicated: applied in the same order on every controller, each
 * gives the same result everywhere ({@link ControllerState#apply}). Liveness is not part of a command's
 * evaluation; the controller that proposes an election states which replicas it saw alive.
 */
public sealed interface ControllerCommand {
    /** The group a command is about. */
    String cluster();

    String brokerName();

    /**
     * A broker joins its group (or comes back). It keeps {@code preferredId} when that id is free or already its
     * own (same address); otherwise (or with -1) it gets the lowest free id from 1.
     */
    record Register(String cluster, String brokerName, String address, long preferredId) implements ControllerCommand {}

    /**
     * Choose a master among {@code alive} (brokerIds whose heartbeats the proposing controller saw recently),
     * with each candidate's reported log end, in-sync members only unless {@code allowUnclean}.
     */
    record Elect(String cluster, String brokerName, java.util.Map<Long, Long> alive, boolean allowUnclean)
        implements ControllerCommand {}

    /**
     * The master of {@code masterEpoch} reports which replicas hold everything it acknowledged. Refused from any
     * broker that is not the group's master in that epoch (a deposed master cannot change the set).
     */
    record AlterInSync(String cluster, String brokerName, long masterId, long masterEpoch, Set<Long> inSync)
        implements ControllerCommand {}
}
