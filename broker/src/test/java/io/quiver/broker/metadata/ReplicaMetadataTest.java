package io.quiver.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.body.TopicConfigTable;
import io.quiver.protocol.message.PermName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: how a replica takes its master's metadata. Topics become the master's table exactly; groups only
 * known here are kept; offsets follow the master except those committed here and not yet given to it.
 */
@Timeout(10)
class ReplicaMetadataTest {
    @TempDir
    Path dir;

    @Test
    void topicsBecomeTheMastersTable() {
        TopicTable replica = new TopicTable(dir.resolve("t"), 100);
        replica.load(true, 4);
        replica.createIfAbsent("Gone", 4, PermName.READ_WRITE);
        replica.createIfAbsent("Same", 4, PermName.READ_WRITE);
        TopicConfigTable master = new TopicConfigTable();
        master.topicConfigTable.put("TBW102", replica.get("TBW102").copy());
        master.topicConfigTable.put("Same", new TopicConfig("Same", 4, PermName.READ_WRITE));
        master.topicConfigTable.put("Grown", new TopicConfig("Grown", 16, PermName.READ_WRITE));
        assertThat(replica.adopt(master)).isEqualTo(2); // Grown added, Gone removed
        assertThat(replica.all().keySet()).containsExactlyInAnyOrder("TBW102", "Same", "Grown");
        assertThat(replica.get("Grown").writeQueueNums).isEqualTo(16);
        assertThat(replica.adopt(master)).isZero();
    }

    @Test
    void groupsOfTheMasterAreTakenAndLocalOnesKept() {
        SubscriptionGroupTable replica = new SubscriptionGroupTable(dir.resolve("g"), 100);
        replica.load();
        replica.findOrCreate("OnlyHere", true);
        SubscriptionGroupTable.Snapshot master = new SubscriptionGroupTable.Snapshot();
        SubscriptionGroupConfig g = new SubscriptionGroupConfig();
        g.groupName = "FromMaster";
        g.retryMaxTimes = 3;
        master.subscriptionGroupTable.put("FromMaster", g);
        assertThat(replica.adopt(master)).isEqualTo(1);
        assertThat(replica.get("FromMaster").retryMaxTimes).isEqualTo(3);
        assertThat(replica.get("OnlyHere")).isNotNull();
        assertThat(replica.adopt(master)).isZero();
    }

    @Test
    void offsetsCommittedOnTheReplicaWinUntilTheMasterHasThem() {
        ConsumerOffsetTable replica = new ConsumerOffsetTable(dir.resolve("o"), 100);
        replica.trackLocalCommits(true);
        ConsumerOffsetTable.Snapshot master = new ConsumerOffsetTable.Snapshot();
        master.offsetTable.put("T@G", new java.util.TreeMap<>(Map.of(0, 10L, 1, 20L)));
        replica.adopt(master); // taken from the master: not the replica's own
        List<String> unsynced = new ArrayList<>();
        replica.forEachUnsynced((g, t, q, o) -> unsynced.add(g + t + q + o));
        assertThat(unsynced).isEmpty();
        assertThat(replica.get("G", "T", 0)).isEqualTo(10);

        replica.commit("G", "T", 0, 15); // a consumer on the replica while the master is away
        master.offsetTable.put("T@G", new java.util.TreeMap<>(Map.of(0, 10L, 1, 25L)));
        replica.adopt(master);
        assertThat(replica.get("G", "T", 0)).as("the replica's newer commit stays").isEqualTo(15);
        assertThat(replica.get("G", "T", 1)).isEqualTo(25);
        replica.forEachUnsynced((g, t, q, o) -> unsynced.add(g + "/" + t + "/" + q + "/" + o));
        assertThat(unsynced).containsExactly("G/T/0/15");

        replica.commit("G", "T", 0, 16);
        replica.synced("G", "T", 0, 15); // the master took 15, but 16 was committed meanwhile
        unsynced.clear();
        replica.forEachUnsynced((g, t, q, o) -> unsynced.add(g + "/" + t + "/" + q + "/" + o));
        assertThat(unsynced).containsExactly("G/T/0/16");
        replica.synced("G", "T", 0, 16);
        master.offsetTable.put("T@G", new java.util.TreeMap<>(Map.of(0, 16L, 1, 25L)));
        replica.adopt(master);
        unsynced.clear();
        replica.forEachUnsynced((g, t, q, o) -> unsynced.add(g + "/" + t + "/" + q + "/" + o));
        assertThat(unsynced).isEmpty();
        assertThat(replica.snapshot().offsetTable.get("T@G")).containsEntry(0, 16L).containsEntry(1, 25L);
    }
}
