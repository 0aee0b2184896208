package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.testing.FakeReader;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.MessageQueue;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: StatsHandlers reports per-queue min/max offsets and last store time of a topic
 * (GET_TOPIC_STATS_INFO), and per-queue broker offset, consumer offset and thus lag of a group
 * (GET_CONSUME_STATS), in the queue-keyed JSON the official tools read.
 */
@Timeout(10)
class StatsHandlersTest {
    static final String TOPIC = "TopicA";
    static final String GROUP = "G1";

    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final FakeReader store = new FakeReader();
    final BrokerConfig config = new BrokerConfig();
    TopicTable topics;
    ConsumerOffsetTable offsets;
    StatsHandlers handlers;

    @BeforeEach
    void setUp() {
        config.brokerName = "broker-x";
        topics = new TopicTable(dir, 100);
        topics.put(new TopicConfig(TOPIC, 2, PermName.READ_WRITE));
        offsets = new ConsumerOffsetTable(dir, 100);
        handlers = new StatsHandlers(topics, config, store, offsets);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** The queue-keyed "offsetTable" of a body: each key is a MessageQueue's JSON. */
    static Map<MessageQueue, JsonNode> offsetTable(RemotingCommand resp) {
        JsonNode table = HandlerHarness.bodyJson(resp).get("offsetTable");
        assertThat(table).as("offsetTable in " + HandlerHarness.bodyText(resp)).isNotNull();
        Map<MessageQueue, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(Json.decode(e.getKey().getBytes(), MessageQueue.class), e.getValue());
        }
        return out;
    }

    static MessageQueue mq(String topic, int q) {
        return new MessageQueue(topic, "broker-x", q);
    }

    @Test
    void topicStatsListEveryWriteQueueWithItsOffsetsAndLastStoreTime() {
        store.add(TOPIC, 0, "a", null, 1000);
        store.add(TOPIC, 0, "b", null, 2000);
        store.add(TOPIC, 0, "c", null, 3000);
        store.dropBefore(TOPIC, 0, 1);

        RemotingCommand resp = h.call(handlers::topicStats, request(RequestCode.GET_TOPIC_STATS_INFO, "topic", TOPIC));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        Map<MessageQueue, JsonNode> table = offsetTable(resp);
        assertThat(table).containsOnlyKeys(mq(TOPIC, 0), mq(TOPIC, 1));
        JsonNode q0 = table.get(mq(TOPIC, 0));
        assertThat(q0.get("minOffset").asLong()).isEqualTo(1);
        assertThat(q0.get("maxOffset").asLong()).isEqualTo(3);
        assertThat(q0.get("lastUpdateTimestamp").asLong()).isEqualTo(3000);
        JsonNode q1 = table.get(mq(TOPIC, 1));
        assertThat(q1.get("minOffset").asLong()).as("an empty queue reports 0, not -1").isZero();
        assertThat(q1.get("maxOffset").asLong()).isZero();
        assertThat(q1.get("lastUpdateTimestamp").asLong()).isZero();
    }

    @Test
    void topicStatsOfAnUnknownTopicIsTopicNotExist() {
        RemotingCommand resp = h.call(handlers::topicStats, request(RequestCode.GET_TOPIC_STATS_INFO, "topic", "Nope"));
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(resp.remark()).contains("Nope", "broker-x");
        assertThat(resp.body()).isNull();
    }

    @Test
    void consumeStatsGiveBrokerAndConsumerOffsetsPerQueueSoTheLagFollows() {
        for (int i = 0; i < 5; i++) {
            store.add(TOPIC, 0, "m" + i, null, 1000 + i);
        }
        store.add(TOPIC, 1, "x", null, 5000);
        offsets.commit(GROUP, TOPIC, 0, 2);

        RemotingCommand resp = h.call(handlers::consumeStats,
            request(RequestCode.GET_CONSUME_STATS, "consumerGroup", GROUP, "topic", TOPIC));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(HandlerHarness.bodyJson(resp).get("consumeTps").asDouble()).isZero();
        Map<MessageQueue, JsonNode> table = offsetTable(resp);
        assertThat(table).containsOnlyKeys(mq(TOPIC, 0), mq(TOPIC, 1));
        JsonNode q0 = table.get(mq(TOPIC, 0));
        assertThat(q0.get("brokerOffset").asLong()).isEqualTo(5);
        assertThat(q0.get("consumerOffset").asLong()).isEqualTo(2);
        assertThat(q0.get("pullOffset").asLong()).isEqualTo(2);
        assertThat(q0.get("brokerOffset").asLong() - q0.get("consumerOffset").asLong()).as("lag").isEqualTo(3);
        assertThat(q0.get("lastTimestamp").asLong()).as("store time of the last consumed message").isEqualTo(1001);
        JsonNode q1 = table.get(mq(TOPIC, 1));
        assertThat(q1.get("brokerOffset").asLong()).isEqualTo(1);
        assertThat(q1.get("consumerOffset").asLong()).as("no commit yet counts as 0").isZero();
        assertThat(q1.get("lastTimestamp").asLong()).isZero();
    }

    @Test
    void consumeStatsWithoutATopicCoverEveryExistingTopicTheGroupHasOffsetsOn() {
        topics.put(new TopicConfig("TopicB", 1, PermName.READ_WRITE));
        store.add("TopicB", 0, "b", null, 1000);
        offsets.commit(GROUP, TOPIC, 1, 0);
        offsets.commit(GROUP, "TopicB", 0, 1);
        offsets.commit(GROUP, "Deleted", 0, 4); // offsets of a topic that no longer exists are skipped
        offsets.commit("OtherGroup", "TopicC", 0, 1);

        RemotingCommand resp = h.call(handlers::consumeStats,
            request(RequestCode.GET_CONSUME_STATS, "consumerGroup", GROUP));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        Map<MessageQueue, JsonNode> table = offsetTable(resp);
        assertThat(table).containsOnlyKeys(mq(TOPIC, 0), mq(TOPIC, 1), mq("TopicB", 0));
        assertThat(table.get(mq("TopicB", 0)).get("consumerOffset").asLong()).isEqualTo(1);
        assertThat(table.get(mq("TopicB", 0)).get("brokerOffset").asLong()).isEqualTo(1);
    }

    @Test
    void consumeStatsOfAGroupWithNothingAreAnEmptyTable() {
        RemotingCommand resp = h.call(handlers::consumeStats,
            request(RequestCode.GET_CONSUME_STATS, "consumerGroup", "Idle"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(offsetTable(resp)).isEmpty();
    }
}
