package io.quiver.namesrv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.body.TopicRouteData;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: the name server's route table (fact sheet §3): merge, lookup, expiry, connection loss, perms. */
@Timeout(10)
class RouteTableTest {
    private final RouteTable table = new RouteTable();

    private static Map<String, TopicConfig> topics(String... names) {
        java.util.Map<String, TopicConfig> m = new java.util.HashMap<>();
        for (String n : names) {
            m.put(n, new TopicConfig(n, 4, 6));
        }
        return m;
    }

    @Test
    void routeListsEveryBrokerGroupServingTheTopic() {
        table.register("C", "b", "10.0.0.2:10911", 0, new DataVersion(1, 1), topics("T"), new EmbeddedChannel(), 0, 120_000);
        table.register("C", "a", "10.0.0.1:10911", 0, new DataVersion(1, 1), topics("T", "U"), new EmbeddedChannel(), 0, 120_000);
        TopicRouteData r = table.route("T");
        assertThat(r.queueDatas).extracting(q -> q.brokerName).containsExactly("a", "b");
        assertThat(r.brokerDatas).extracting(b -> b.brokerAddrs.get(0L)).containsExactly("10.0.0.1:10911", "10.0.0.2:10911");
        assertThat(table.route("U").brokerDatas).hasSize(1);
        assertThat(table.route("nope")).isNull();
        assertThat(table.clusterInfo().clusterAddrTable.get("C")).containsExactly("a", "b");
        assertThat(table.allTopics().topicList).containsExactly("T", "U");
        assertThat(table.topicsOfCluster("C").topicList).containsExactly("T", "U");
    }

    @Test
    void aMasterRegistrationOfAnOlderControllerEpochIsRefused() {
        DataVersion v = new DataVersion(1, 1);
        assertThat(table.register("C", "a", "h1:1", 0, "h1:2", 3L, v, topics("T"), new EmbeddedChannel(), 0, 120_000)
            .refusal()).isNull();
        assertThat(table.register("C", "a", "h2:1", 2, "h2:2", null, v, topics("T"), new EmbeddedChannel(), 0, 120_000)
            .masterAddr()).isEqualTo("h1:1");
        // h2 is elected in epoch 4; the deposed h1 registers again with its epoch 3 and is refused
        assertThat(table.register("C", "a", "h2:1", 0, "h2:2", 4L, v, topics("T"), new EmbeddedChannel(), 0, 120_000)
            .refusal()).isNull();
        RouteTable.Master stale = table.register("C", "a", "h1:1", 0, "h1:2", 3L, v, topics("T"), new EmbeddedChannel(),
            1, 120_000);
        assertThat(stale.refusal()).contains("epoch 3", "epoch 4", "deposed");
        assertThat(table.route("T").brokerDatas.get(0).brokerAddrs).containsEntry(0L, "h2:1").doesNotContainValue("h1:1");
        // as a replica it may register
        assertThat(table.register("C", "a", "h1:1", 1, "h1:2", null, v, topics("T"), new EmbeddedChannel(), 2, 120_000)
            .masterAddr()).isEqualTo("h2:1");
    }

    @Test
    void topicsMergeOnlyWhenTheDataVersionChanges() {
        EmbeddedChannel ch = new EmbeddedChannel();
        table.register("C", "a", "h:1", 0, new DataVersion(1, 1), topics("T"), ch, 0, 120_000);
        table.register("C", "a", "h:1", 0, new DataVersion(1, 1), topics("T", "Same"), ch, 1, 120_000);
        assertThat(table.route("Same")).isNull();
        table.register("C", "a", "h:1", 0, new DataVersion(1, 2), topics("New"), ch, 2, 120_000);
        assertThat(table.route("New")).isNotNull();
        assertThat(table.route("T")).as("topics missing from a registration are kept").isNotNull();
    }

    @Test
    void silentBrokersExpireAndTheirTopicsGoWithThem() {
        table.register("C", "a", "h:1", 0, new DataVersion(1, 1), topics("T"), new EmbeddedChannel(), 1_000, 120_000);
        assertThat(table.expire(100_000)).isZero();
        assertThat(table.expire(121_001)).isEqualTo(1);
        assertThat(table.route("T")).isNull();
        assertThat(table.clusterInfo().brokerAddrTable).isEmpty();
        assertThat(table.clusterInfo().clusterAddrTable).isEmpty();
    }

    @Test
    void closedRegistrationConnectionRemovesTheBrokerAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel();
        table.register("C", "a", "h:1", 0, new DataVersion(1, 1), topics("T"), ch, 0, 120_000);
        table.register("C", "b", "h:2", 0, new DataVersion(1, 1), topics("T"), new EmbeddedChannel(), 0, 120_000);
        table.channelClosed(ch);
        assertThat(table.route("T").brokerDatas).extracting(b -> b.brokerName).containsExactly("b");
    }

    @Test
    void wipeAndAddWritePermissionCountTopics() {
        table.register("C", "a", "h:1", 0, new DataVersion(1, 1), topics("T", "U"), new EmbeddedChannel(), 0, 120_000);
        assertThat(table.setWritePermission("a", false)).isEqualTo(2);
        assertThat(table.route("T").queueDatas.get(0).perm).isEqualTo(4);
        assertThat(table.setWritePermission("a", true)).isEqualTo(2);
        assertThat(table.route("T").queueDatas.get(0).perm).isEqualTo(6);
        table.deleteTopic("U", null);
        assertThat(table.route("U")).isNull();
    }
}
