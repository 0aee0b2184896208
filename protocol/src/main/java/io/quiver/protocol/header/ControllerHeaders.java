package io.quiver.protocol.header;

import io.quiver.protocol.RemotingCommand;

/**
 * The headers of the requests brokers and tools send to a controller (controller mode). Field names follow
 * RocketMQ 5's where it has the field; {@code clusterName} and {@code haAddress} are Quiver's additions (a
 * Quiver controller keeps groups of several clusters apart, and tells replicas where their master ships from).
 */
public final class ControllerHeaders {
    private ControllerHeaders() {}

    /** BROKER_HEARTBEAT: sent to every controller; {@code maxOffset} is the end of the broker's commit log. */
    public record Heartbeat(String clusterName, String brokerName, String brokerAddr, long brokerId, long epoch,
                            long maxOffset) {
        public static Heartbeat decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new Heartbeat(r.string("clusterName"), r.string("brokerName"), r.string("brokerAddr"),
                r.int64("brokerId"), r.optInt64("epoch", 0), r.int64("maxOffset"));
        }

        public RemotingCommand encode(RemotingCommand cmd) {
            return cmd.putExt("clusterName", clusterName).putExt("brokerName", brokerName).putExt("brokerAddr", brokerAddr)
                .putExt("brokerId", brokerId).putExt("epoch", epoch).putExt("maxOffset", maxOffset);
        }
    }

    /**
     * CONTROLLER_REGISTER_BROKER: {@code brokerId} is the broker's preference (-1 for none); the answer's
     * {@code assignedId} is the one it must use.
     */
    public record Register(String clusterName, String brokerName, String brokerAddress, String haAddress,
                           long brokerId) {
        public static Register decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new Register(r.string("clusterName"), r.string("brokerName"), r.string("brokerAddress"),
                r.string("haAddress"), r.optInt64("brokerId", -1));
        }

        public RemotingCommand encode(RemotingCommand cmd) {
            return cmd.putExt("clusterName", clusterName).putExt("brokerName", brokerName)
                .putExt("brokerAddress", brokerAddress).putExt("haAddress", haAddress).putExt("brokerId", brokerId);
        }
    }

    /** CONTROLLER_ALTER_SYNC_STATE_SET: the body is the new set (a {@code SyncStateSet} JSON). */
    public record AlterSyncStateSet(String clusterName, String brokerName, long masterBrokerId, long masterEpoch) {
        public static AlterSyncStateSet decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new AlterSyncStateSet(r.string("clusterName"), r.string("brokerName"), r.int64("masterBrokerId"),
                r.int64("masterEpoch"));
        }

        public RemotingCommand encode(RemotingCommand cmd) {
            return cmd.putExt("clusterName", clusterName).putExt("brokerName", brokerName)
                .putExt("masterBrokerId", masterBrokerId).putExt("masterEpoch", masterEpoch);
        }
    }

    /** CONTROLLER_GET_REPLICA_INFO and CONTROLLER_ELECT_MASTER ({@code brokerId} -1: any eligible replica). */
    public record Group(String clusterName, String brokerName, long brokerId) {
        public static Group decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new Group(r.string("clusterName"), r.string("brokerName"),
                r.optInt64("brokerId", -1));
        }

        public RemotingCommand encode(RemotingCommand cmd) {
            return cmd.putExt("clusterName", clusterName).putExt("brokerName", brokerName).putExt("brokerId", brokerId);
        }
    }
}
