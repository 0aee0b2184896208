package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A broker group as a controller answers it to brokers and tools (controller mode): its master with the master's
 * addresses, the epoch, the in-sync set and every registered replica. Also says whether the answering controller
 * leads the controllers, which a master needs for its lease.
 */
public final class ControllerGroupView {
    public String clusterName;
    public String brokerName;
    /** -1 when the group has no master. */
    public long masterBrokerId = -1;
    public String masterAddress;
    public String masterHaAddress;
    public long masterEpoch;
    public List<Long> syncStateSet = new ArrayList<>();
    public long syncStateSetEpoch;
    /** brokerId to remoting address. */
    public Map<Long, String> replicas = new TreeMap<>();
    /** brokerId to replication address. */
    public Map<Long, String> haAddresses = new TreeMap<>();
    /** On CONTROLLER_REGISTER_BROKER: the id the broker must use. */
    public long assignedBrokerId = -1;
    /** Whether the controller that answered leads the controllers' Raft group. */
    public boolean leader;
    /** The answering controller's controllerHeartBeatTimeoutMills. */
    public long heartbeatTimeoutMillis;
    /** The controller's {@code selfId}. */
    public String controllerId;
}
