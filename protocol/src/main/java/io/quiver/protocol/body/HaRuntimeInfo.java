package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of GET_BROKER_HA_STATUS (mqadmin {@code haStatus}), with the official field names: on a master its
 * replicas and how far each has acknowledged, on a replica its link to the master.
 */
public final class HaRuntimeInfo {
    public boolean master;
    public long masterCommitLogMaxOffset;
    public int inSyncSlaveNums;
    public List<Connection> haConnectionInfo = new ArrayList<>();
    public Client haClientRuntimeInfo = new Client();
    /** Quiver's additions in controller mode (absent otherwise): the epoch of this broker's role. */
    public Long masterEpoch;
    /** Controller mode, a master: the in-sync set the controllers hold (brokerIds). */
    public List<Long> syncStateSet;
    /** Controller mode, a master: whether its lease from the controllers holds (it confirms sends only then). */
    public Boolean leaseValid;

    /** One replica as its master sees it. */
    public static final class Connection {
        public String addr;
        public long slaveAckOffset;
        public long diff;
        public boolean inSync;
        public long transferredByteInSecond;
        public long transferFromWhere;
    }

    /** A replica's link to its master. */
    public static final class Client {
        public String masterAddr;
        public long transferredByteInSecond;
        public long maxOffset;
        public long lastReadTimestamp;
        public long lastWriteTimestamp;
        public long masterFlushOffset;
        /** Quiver's addition (official tools ignore it): how long the replica has lacked part of its master's log. */
        public long behindMillis;
    }
}
