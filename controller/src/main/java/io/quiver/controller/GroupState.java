package io.quiver.controller;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One broker group as the controller knows it: its replicas (brokerId to address), its master (or none), the
 * master's epoch, and the in-sync set with its own epoch. Immutable: every change makes a new value, so the
 * state machine can hand it to readers on any thread.
 *
 * @param masterEpoch       increases with every change of master, including to "no master"
 * @param inSync            the brokerIds that hold everything the master acknowledged; always contains the master
 * @param inSyncEpoch       increases with every change of the in-sync set
 */
public record GroupState(String cluster, String brokerName, Map<Long, String> replicas, long masterId,
                         long masterEpoch, Set<Long> inSync, long inSyncEpoch) {
    /** No master elected (yet, or none could be). */
    public static final long NO_MASTER = -1;

    public GroupState {
        replicas = java.util.Collections.unmodifiableMap(new TreeMap<>(replicas));
        inSync = java.util.Collections.unmodifiableSet(new TreeSet<>(inSync));
    }

    static GroupState empty(String cluster, String brokerName) {
        return new GroupState(cluster, brokerName, Map.of(), NO_MASTER, 0, Set.of(), 0);
    }

    public boolean hasMaster() {
        return masterId != NO_MASTER;
    }

    /** A group whose first master was never elected: any replica may become it, no data can be lost. */
    public boolean neverHadMaster() {
        return masterEpoch == 0;
    }

    GroupState withReplica(long brokerId, String address) {
        Map<Long, String> r = new TreeMap<>(replicas);
        r.put(brokerId, address);
        return new GroupState(cluster, brokerName, r, masterId, masterEpoch, inSync, inSyncEpoch);
    }

    GroupState withMaster(long newMaster) {
        Set<Long> set = newMaster == NO_MASTER ? inSync : Set.of(newMaster);
        return new GroupState(cluster, brokerName, replicas, newMaster, masterEpoch + 1, set,
            set.equals(inSync) ? inSyncEpoch : inSyncEpoch + 1);
    }

    GroupState withInSync(Set<Long> set) {
        return new GroupState(cluster, brokerName, replicas, masterId, masterEpoch, set, inSyncEpoch + 1);
    }
}
