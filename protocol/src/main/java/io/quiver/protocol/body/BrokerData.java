package io.quiver.protocol.body;

import java.util.Map;
import java.util.TreeMap;

/** A broker group: its cluster, name and addresses by broker id (0 = master). */
public final class BrokerData {
    public String cluster;
    public String brokerName;
    public Map<Long, String> brokerAddrs = new TreeMap<>();
    public boolean enableActingMaster;

    public BrokerData() {}

    public BrokerData(String cluster, String brokerName) {
        this.cluster = cluster;
        this.brokerName = brokerName;
    }

    public BrokerData copy() {
        BrokerData d = new BrokerData(cluster, brokerName);
        d.brokerAddrs = new TreeMap<>(brokerAddrs);
        d.enableActingMaster = enableActingMaster;
        return d;
    }
}
