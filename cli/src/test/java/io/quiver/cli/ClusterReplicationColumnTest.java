package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.HaRuntimeInfo;
import io.quiver.protocol.body.Json;
import org.junit.jupiter.api.Test;

/** Unit tier: the REPLICATION column of {@code quiver cluster}, from GET_BROKER_HA_STATUS answers. */
class ClusterReplicationColumnTest {
    private static String column(HaRuntimeInfo h) {
        return ClusterCommand.replication(Json.mapper().valueToTree(h));
    }

    @Test
    void aMasterShowsItsReplicasInSyncAndTheLargestLag() {
        HaRuntimeInfo h = new HaRuntimeInfo();
        h.master = true;
        assertThat(column(h)).isEqualTo("no replica");
        for (long diff : new long[] {0, 4096}) {
            HaRuntimeInfo.Connection c = new HaRuntimeInfo.Connection();
            c.diff = diff;
            c.inSync = true;
            h.haConnectionInfo.add(c);
        }
        h.inSyncSlaveNums = 2;
        assertThat(column(h)).isEqualTo("2/2 replicas in sync, lag <= 4096 B");
        assertThat(ClusterCommand.replication(null)).isEqualTo("-");
    }

    @Test
    void aReplicaShowsHowFarBehindItsMasterItIsInBytesAndSeconds() {
        HaRuntimeInfo h = new HaRuntimeInfo();
        h.master = false;
        assertThat(column(h)).isEqualTo("replica, master unknown");
        h.haClientRuntimeInfo.masterAddr = "127.0.0.1:10912";
        h.haClientRuntimeInfo.maxOffset = 1_000;
        h.haClientRuntimeInfo.masterFlushOffset = 1_500;
        h.haClientRuntimeInfo.behindMillis = 2_250;
        assertThat(column(h)).isEqualTo("replica, lag 500 B, 2.3 s");
    }

    @Test
    void inControllerModeTheEpochInSyncSetAndALostLeaseShow() {
        HaRuntimeInfo h = new HaRuntimeInfo();
        h.master = true;
        h.masterEpoch = 3L;
        h.syncStateSet = java.util.List.of(1L, 2L);
        h.leaseValid = true;
        HaRuntimeInfo.Connection c = new HaRuntimeInfo.Connection();
        c.inSync = true;
        h.haConnectionInfo.add(c);
        h.inSyncSlaveNums = 1;
        assertThat(column(h)).isEqualTo("epoch 3, in-sync [1,2], 1/1 replicas in sync, lag <= 0 B");
        h.leaseValid = false;
        assertThat(column(h)).startsWith("epoch 3, in-sync [1,2] (lease lost: not confirming sends), ");

        HaRuntimeInfo r = new HaRuntimeInfo();
        r.masterEpoch = 3L;
        assertThat(column(r)).isEqualTo("replica, epoch 3, master unknown");
    }
}
