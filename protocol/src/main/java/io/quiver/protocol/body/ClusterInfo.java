package io.quiver.protocol.body;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The body of GET_BROKER_CLUSTER_INFO (fact sheet §3.4). */
public final class ClusterInfo {
    public Map<String, BrokerData> brokerAddrTable = new TreeMap<>();
    public Map<String, Set<String>> clusterAddrTable = new TreeMap<>();
}
