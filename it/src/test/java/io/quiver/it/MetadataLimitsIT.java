package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client-fed metadata is bounded: floods of offset commits for unknown groups and topics, heartbeats with
 * new groups and sends to new topics are refused with the limit named, the tables on disk stay within the
 * limits, and a topic that existed before the flood still sends and reads every message.
 */
@Timeout(180)
class MetadataLimitsIT extends QuiverIT {
    static final int MAX_TOPICS = 40;
    static final int MAX_GROUPS = 20;

    protected static Map<String, String> brokerConf() {
        return Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "maxTopicCount", Integer.toString(MAX_TOPICS),
            "maxSubscriptionGroupCount", Integer.toString(MAX_GROUPS));
    }

    private static RemotingCommand offsetCommit(String group, String topic, int queueId, long offset) {
        RemotingCommand req = RemotingCommand.createRequestCommand(15, null);
        req.addExtField("consumerGroup", group);
        req.addExtField("topic", topic);
        req.addExtField("queueId", Integer.toString(queueId));
        req.addExtField("commitOffset", Long.toString(offset));
        return req;
    }

    private static RemotingCommand send(String topic, String body) {
        RemotingCommand req = RemotingCommand.createRequestCommand(310, null);
        Map<String, String> f = new HashMap<>(Map.of("a", "PG", "b", topic, "c", "TBW102", "d", "4", "e", "0",
            "f", "0", "g", "1700000000000", "h", "0"));
        f.forEach(req::addExtField);
        req.setBody(body.getBytes(StandardCharsets.UTF_8));
        return req;
    }

    private static RemotingCommand heartbeat(String clientId, String group) {
        RemotingCommand req = RemotingCommand.createRequestCommand(34, null);
        String json = "{\"clientID\":\"" + clientId + "\",\"consumerDataSet\":[{\"groupName\":\"" + group
            + "\",\"consumeType\":\"CONSUME_PASSIVELY\",\"messageModel\":\"CLUSTERING\",\"consumeFromWhere\":"
            + "\"CONSUME_FROM_LAST_OFFSET\",\"subscriptionDataSet\":[],\"unitMode\":false}],\"producerDataSet\":[]}";
        req.setBody(json.getBytes(StandardCharsets.UTF_8));
        return req;
    }

    @Test
    void floodsOfNewNamesAreRefusedWithTheLimitNamedAndExistingDataIsUnharmed() throws Exception {
        DefaultMQProducer p = producer();
        String kept = unique("Kept");
        ensureTopic(p, kept);
        for (int i = 0; i < 10; i++) {
            SendResult r = p.send(new Message(kept, "t", ("before-" + i).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        }

        String reader = unique("Reader");
        assertThat(call(heartbeat(unique("client"), reader)).getCode()).isEqualTo(0); // a group from before the flood

        // Offsets for groups that do not exist are refused (as RocketMQ 5 brokers do), and never stored.
        for (int i = 0; i < 300; i++) {
            RemotingCommand resp = call(offsetCommit(unique("NoSuchGroup"), kept, 0, i));
            assertThat(resp.getCode()).isEqualTo(26); // SUBSCRIPTION_GROUP_NOT_EXIST
        }

        // Heartbeats with new groups create groups up to the limit, then are refused naming it.
        AtomicInteger refused = new AtomicInteger();
        String lastRemark = null;
        for (int i = 0; i < 3 * MAX_GROUPS; i++) {
            RemotingCommand resp = call(heartbeat(unique("client"), unique("FloodGroup")));
            if (resp.getCode() != 0) {
                assertThat(resp.getCode()).isEqualTo(26);
                refused.incrementAndGet();
                lastRemark = resp.getRemark();
            }
        }
        assertThat(refused.get()).isGreaterThanOrEqualTo(2 * MAX_GROUPS - 5);
        assertThat(lastRemark).contains("maxSubscriptionGroupCount=" + MAX_GROUPS);

        // Offsets for a known group on a topic that does not exist are refused too.
        RemotingCommand noTopic = call(offsetCommit(reader, unique("NoSuchTopic"), 0, 1));
        assertThat(noTopic.getCode()).isEqualTo(17); // TOPIC_NOT_EXIST

        // Sends to new topics create topics up to the limit, then are refused naming it.
        int created = 0;
        String topicRemark = null;
        for (int i = 0; i < 2 * MAX_TOPICS; i++) {
            RemotingCommand resp = call(send(unique("FloodTopic"), "x"));
            if (resp.getCode() == 0) {
                created++;
            } else {
                assertThat(resp.getCode()).isEqualTo(17);
                topicRemark = resp.getRemark();
            }
        }
        assertThat(created).isLessThan(MAX_TOPICS);
        assertThat(topicRemark).contains("maxTopicCount=" + MAX_TOPICS);

        // The tables stay within their limits, and so do their files.
        String allTopics = new String(call(RemotingCommand.createRequestCommand(21, null)).getBody(), StandardCharsets.UTF_8);
        long ordinary = java.util.regex.Pattern.compile("\"topicName\":\"(?!%RETRY%|%DLQ%)").matcher(allTopics).results().count();
        assertThat(ordinary).isLessThanOrEqualTo(MAX_TOPICS);
        String allGroups = new String(call(RemotingCommand.createRequestCommand(201, null)).getBody(), StandardCharsets.UTF_8);
        assertThat(allGroups.split("\"groupName\"").length - 1).isLessThanOrEqualTo(MAX_GROUPS);
        assertThat(allGroups).doesNotContain("NoSuchGroup");
        long configBytes;
        try (var files = Files.list(dataDir.resolve("broker/config"))) {
            configBytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        assertThat(configBytes).as("config files stay small").isLessThan(512 * 1024);

        // The topic from before the flood still takes sends and reads back every message, in order.
        for (int i = 0; i < 10; i++) {
            SendResult r = p.send(new Message(kept, "t", ("after-" + i).getBytes(StandardCharsets.UTF_8)));
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        }
        DefaultLitePullConsumer c = litePullConsumer(reader);
        c.setAutoCommit(false);
        c.start();
        int total = 0;
        for (MessageQueue q : c.fetchMessageQueues(kept)) {
            c.assign(List.of(q));
            c.seek(q, 0);
            long deadline = System.currentTimeMillis() + 10_000;
            long max = p.maxOffset(q);
            long read = 0;
            while (read < max && System.currentTimeMillis() < deadline) {
                for (MessageExt m : c.poll(500)) {
                    assertThat(m.getQueueOffset()).isEqualTo(read);
                    read++;
                }
            }
            total += (int) read;
        }
        assertThat(total).isEqualTo(21); // the seed and 20 messages
    }
}
