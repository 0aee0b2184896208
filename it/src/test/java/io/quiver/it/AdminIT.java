package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.TopicOffset;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the official 4.9.8 DefaultMQAdminExt (what mqadmin topicStatus and consumerProgress
 * call) against Quiver: per-queue offsets, and consumer lag that is exact.
 */
@Timeout(120)
class AdminIT extends QuiverIT {

    private DefaultMQAdminExt admin() throws Exception {
        DefaultMQAdminExt a = new DefaultMQAdminExt();
        a.setNamesrvAddr(quiver.namesrvAddr());
        a.setInstanceName(unique("admin"));
        a.start();
        onCleanup(a::shutdown);
        return a;
    }

    @Test
    void updateBrokerConfigChangesLiveSettingsNowOthersAtTheNextStartAndPersistsBoth() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Perm");
        ensureTopic(p, topic);
        DefaultMQAdminExt admin = admin();
        String addr = quiver.brokerAddr();
        java.util.Properties readOnly = new java.util.Properties();
        readOnly.setProperty("brokerPermission", "4");
        admin.updateBrokerConfig(addr, readOnly);
        assertThat(admin.getBrokerConfig(addr).getProperty("brokerPermission")).isEqualTo("4");
        org.apache.rocketmq.common.message.MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.send(new Message(topic, "x".getBytes()), q))
            .isInstanceOfSatisfying(org.apache.rocketmq.client.exception.MQBrokerException.class,
                e -> assertThat(e.getResponseCode()).isEqualTo(16));

        // a setting that is not live is stored for the next start, as RocketMQ stores it; the running broker keeps its value
        String before = admin.getBrokerConfig(addr).getProperty("maxMessageSize");
        java.util.Properties atRestart = new java.util.Properties();
        atRestart.setProperty("maxMessageSize", "2097152");
        admin.updateBrokerConfig(addr, atRestart);
        assertThat(admin.getBrokerConfig(addr).getProperty("maxMessageSize")).isEqualTo(before).isNotEqualTo("2097152");
        java.util.Properties where = new java.util.Properties();
        where.setProperty("storePathRootDir", "/elsewhere");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.updateBrokerConfig(addr, where))
            .hasMessageContaining("black list");

        java.util.Properties back = new java.util.Properties();
        back.setProperty("brokerPermission", "6");
        back.setProperty("transactionCheckMax", "7");
        admin.updateBrokerConfig(addr, back);
        assertThat(p.send(new Message(topic, "y".getBytes()), q).getSendStatus())
            .isEqualTo(org.apache.rocketmq.client.producer.SendStatus.SEND_OK);
        quiver.stop();
        quiver.start();
        assertThat(admin.getBrokerConfig(addr).getProperty("transactionCheckMax")).as("persisted").isEqualTo("7");
        assertThat(admin.getBrokerConfig(addr).getProperty("maxMessageSize")).as("applied at the restart")
            .isEqualTo("2097152");
    }

    @Test
    void topicStatusAndConsumerProgressShowExactOffsetsAndLag() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Stats");
        ensureTopic(p, topic);
        for (int i = 0; i < 20; i++) {
            p.send(new Message(topic, ("s-" + i).getBytes()));
        }
        DefaultMQAdminExt admin = admin();
        TopicStatsTable stats = admin.examineTopicStats(topic);
        assertThat(stats.getOffsetTable()).hasSize(4);
        long total = stats.getOffsetTable().values().stream().mapToLong(TopicOffset::getMaxOffset).sum();
        assertThat(total).isEqualTo(21); // the seed and 20
        assertThat(stats.getOffsetTable().values()).allMatch(o -> o.getMinOffset() == 0)
            .anyMatch(o -> o.getLastUpdateTimestamp() > 0);

        String group = unique("CG");
        consumeThenStop(group, topic, 21); // its shutdown commits the offsets
        for (int i = 0; i < 7; i++) {
            p.send(new Message(topic, ("lag-" + i).getBytes()));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ConsumeStats cs = admin.examineConsumeStats(group, topic);
            assertThat(cs.computeTotalDiff()).as("lag").isEqualTo(7);
            assertThat(cs.getOffsetTable()).hasSize(4);
        });

        // cloneGroupOffset (DefaultMQAdminExt, CLONE_GROUP_OFFSET): the copy has the same offsets, so the same lag
        String copy = unique("CG_copy");
        admin.cloneGroupOffset(group, copy, topic, true);
        @SuppressWarnings("deprecation")
        var api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
        ConsumeStats copied = api.getConsumeStats(quiver.brokerAddr(), copy, topic, 5_000); // no route: never online
        assertThat(copied.computeTotalDiff()).as("the copy's lag").isEqualTo(7);
    }

    /** What mqadmin clusterList, brokerStatus, topicList, topicRoute, wipe/addWritePerm, queryMsgByKey,
     *  queryMsgById, producerConnection, consumerConnection, topic-consumed-by and delete* call. */
    @Test
    void mqadminCommandsSeeAndChangeTheCluster() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Mq");
        ensureTopic(p, topic);
        org.apache.rocketmq.client.producer.SendResult last = null;
        for (int i = 0; i < 5; i++) {
            last = p.send(new Message(topic, "t", "mk-" + i, ("mq-" + i).getBytes()));
        }
        DefaultMQAdminExt admin = admin();
        String addr = quiver.brokerAddr();

        // clusterList / brokerStatus
        org.apache.rocketmq.common.protocol.body.ClusterInfo ci = admin.examineBrokerClusterInfo();
        assertThat(ci.getClusterAddrTable().get("DefaultCluster")).containsExactly("broker-a");
        assertThat(ci.getBrokerAddrTable().get("broker-a").getBrokerAddrs().get(0L)).isEqualTo(addr);
        org.apache.rocketmq.common.protocol.body.KVTable rt = admin.fetchBrokerRuntimeStats(addr);
        assertThat(Long.parseLong(rt.getTable().get("msgPutTotalTodayNow"))).isGreaterThanOrEqualTo(6);
        assertThat(rt.getTable().get("putTps").split(" ")).hasSize(3);
        assertThat(rt.getTable()).containsKeys("getTransferedTps", "msgGetTotalTodayNow", "commitLogMaxOffset");

        // topicList / topicRoute / GET_TOPICS_BY_CLUSTER
        assertThat(admin.fetchAllTopicList().getTopicList()).contains(topic);
        assertThat(admin.fetchTopicsByCLuster("DefaultCluster").getTopicList()).contains(topic);
        org.apache.rocketmq.common.protocol.route.TopicRouteData route = admin.examineTopicRouteInfo(topic);
        assertThat(route.getQueueDatas().get(0).getPerm()).isEqualTo(6);

        // wipeWritePerm / addWritePerm at the name server
        assertThat(admin.wipeWritePermOfBroker(quiver.namesrvAddr(), "broker-a")).isPositive();
        assertThat(admin.examineTopicRouteInfo(topic).getQueueDatas().get(0).getPerm()).isEqualTo(4);
        assertThat(admin.addWritePermOfBroker(quiver.namesrvAddr(), "broker-a")).isPositive();
        assertThat(admin.examineTopicRouteInfo(topic).getQueueDatas().get(0).getPerm()).isEqualTo(6);

        // queryMsgByKey / queryMsgById / queryMsgByUniqueKey
        org.apache.rocketmq.client.QueryResult byKey = admin.queryMessage(topic, "mk-2", 10, 0, Long.MAX_VALUE);
        assertThat(byKey.getMessageList()).extracting(AdminIT::body).containsExactly("mq-2");
        assertThat(body(admin.viewMessage(last.getOffsetMsgId()))).isEqualTo("mq-4");
        assertThat(body(admin.viewMessage(topic, last.getMsgId()))).isEqualTo("mq-4");

        // producerConnection / consumerConnection / which groups consume the topic
        String pg = p.getProducerGroup();
        p.getDefaultMQProducerImpl().getmQClientFactory().sendHeartbeatToAllBrokerWithLock(); // else within 30 s
        await().atMost(Duration.ofSeconds(40)).ignoreExceptions().untilAsserted(() ->
            assertThat(admin.examineProducerConnectionInfo(pg, topic).getConnectionSet()).isNotEmpty());
        String group = unique("MqCG");
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
        c.start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(admin.examineConsumerConnectionInfo(group).getConnectionSet()).hasSize(1);
            assertThat(admin.queryTopicConsumeByWho(topic).getGroupList()).contains(group);
        });
        c.shutdown();

        // updateSubGroup, and the broker's full topic and group tables
        org.apache.rocketmq.common.subscription.SubscriptionGroupConfig sg =
            new org.apache.rocketmq.common.subscription.SubscriptionGroupConfig();
        String made = unique("MadeCG");
        sg.setGroupName(made);
        sg.setRetryMaxTimes(3);
        sg.setConsumeBroadcastEnable(false);
        admin.createAndUpdateSubscriptionGroupConfig(addr, sg);
        assertThat(admin.examineSubscriptionGroupConfig(addr, made).getRetryMaxTimes()).isEqualTo(3);
        assertThat(admin.getAllSubscriptionGroup(addr, 5_000).getSubscriptionGroupTable()).containsKey(made);
        assertThat(admin.getAllTopicConfig(addr, 5_000).getTopicConfigTable()).containsKey(topic);
        admin.deleteSubscriptionGroup(addr, made);

        // deleteSubGroup / deleteTopic (broker and name server)
        admin.deleteSubscriptionGroup(addr, group);
        assertThat(admin.getAllSubscriptionGroup(addr, 5_000).getSubscriptionGroupTable()).doesNotContainKey(group);
        admin.deleteTopicInBroker(java.util.Set.of(addr), topic);
        admin.deleteTopicInNameServer(java.util.Set.of(quiver.namesrvAddr()), topic, "DefaultCluster");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(admin.fetchAllTopicList().getTopicList()).doesNotContain(topic));
    }
}
