package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.testing.FakeReader;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: OffsetHandlers answers committed-offset queries (with the official new-group rules), refuses
 * commits for unknown groups, topics, queues, negative offsets and beyond the (topic, group) limit, and
 * reports the store's min/max offsets and time lookups (lower boundary unless "upper" is asked for).
 */
@Timeout(10)
class OffsetHandlersTest {
    static final String GROUP = "G1";
    static final String TOPIC = "TopicA";

    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final FakeReader store = new FakeReader();
    SubscriptionGroupTable groups;
    TopicTable topics;
    ConsumerOffsetTable offsets;
    OffsetHandlers handlers;

    @BeforeEach
    void setUp() {
        groups = new SubscriptionGroupTable(dir, 100);
        topics = new TopicTable(dir, 100);
        groups.put(new SubscriptionGroupConfig(GROUP));
        topics.put(new TopicConfig(TOPIC, 4, PermName.READ_WRITE));
        useOffsetLimit(100);
    }

    void useOffsetLimit(int limit) {
        offsets = new ConsumerOffsetTable(dir, limit);
        handlers = new OffsetHandlers(offsets, groups, topics, store);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    RemotingCommand query(String group, String topic, int queueId, Boolean setZeroIfNotFound) {
        return h.call(handlers::queryConsumerOffset, request(RequestCode.QUERY_CONSUMER_OFFSET,
            "consumerGroup", group, "topic", topic, "queueId", queueId, "setZeroIfNotFound", setZeroIfNotFound));
    }

    RemotingCommand commit(String group, String topic, int queueId, long offset) {
        return h.call(handlers::updateConsumerOffset, request(RequestCode.UPDATE_CONSUMER_OFFSET,
            "consumerGroup", group, "topic", topic, "queueId", queueId, "commitOffset", offset));
    }

    static void assertOffset(RemotingCommand resp, long offset) {
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("offset")).isEqualTo(Long.toString(offset));
    }

    static void assertRefused(RemotingCommand resp, int code, String... remarkParts) {
        assertThat(resp.code()).isEqualTo(code);
        assertThat(resp.remark()).contains(remarkParts);
        assertThat(resp.ext("offset")).isNull();
    }

    // ------------------------------------------------------------------ QUERY_CONSUMER_OFFSET

    @Test
    void aCommittedOffsetIsReturned() {
        offsets.commit(GROUP, TOPIC, 1, 42);
        assertOffset(query(GROUP, TOPIC, 1, null), 42);
        assertOffset(query(GROUP, TOPIC, 1, false), 42);
    }

    @Test
    void aNewGroupOnAQueueStillHoldingItsFirstMessageStartsAtZero() {
        store.add(TOPIC, 1, "m0", null, 1000);
        store.add(TOPIC, 1, "m1", null, 2000);
        assertOffset(query(GROUP, TOPIC, 1, null), 0);
        assertOffset(query(GROUP, TOPIC, 1, true), 0);
        assertOffset(query("NewGroup", TOPIC, 2, null), 0); // a queue the store has never seen: min offset -1
    }

    @Test
    void aNewGroupWithSetZeroIfNotFoundFalseIsNotFound() {
        store.add(TOPIC, 1, "m0", null, 1000);
        assertRefused(query(GROUP, TOPIC, 1, false), ResponseCode.QUERY_NOT_FOUND, "Not found");
    }

    @Test
    void aNewGroupOnAQueueThatLostItsHeadIsNotFound() {
        for (int i = 0; i < 3; i++) {
            store.add(TOPIC, 1, "m" + i, null, 1000 + i);
        }
        store.dropBefore(TOPIC, 1, 2);
        assertRefused(query(GROUP, TOPIC, 1, null), ResponseCode.QUERY_NOT_FOUND, "Not found");
    }

    // ------------------------------------------------------------------ UPDATE_CONSUMER_OFFSET

    @Test
    void aCommitForAnUnknownGroupIsRefused() {
        assertRefused(commit("Nobody", "NoTopic", 0, 5), ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
            "consumer group Nobody does not exist");
        assertThat(offsets.size()).isZero();
    }

    @Test
    void aCommitForAnUnknownTopicIsRefusedAfterTheGroupCheck() {
        assertRefused(commit(GROUP, "NoTopic", 0, 5), ResponseCode.TOPIC_NOT_EXIST, "topic NoTopic does not exist");
        assertThat(offsets.get(GROUP, "NoTopic", 0)).isEqualTo(-1);
    }

    @Test
    void aCommitForAQueueOutsideTheTopicIsRefused() {
        assertRefused(commit(GROUP, TOPIC, 4, 5), ResponseCode.SYSTEM_ERROR, "queueId 4 is illegal", "has 4 queues");
        assertRefused(commit(GROUP, TOPIC, -1, 5), ResponseCode.SYSTEM_ERROR, "queueId -1 is illegal");
        assertThat(offsets.size()).isZero();
    }

    @Test
    void aNegativeOffsetIsRefused() {
        assertRefused(commit(GROUP, TOPIC, 0, -3), ResponseCode.SYSTEM_ERROR, "commitOffset -3 is negative");
        assertThat(offsets.get(GROUP, TOPIC, 0)).isEqualTo(-1);
    }

    @Test
    void aCommitBeyondTheTopicGroupLimitIsRefusedNamingTheLimit() {
        useOffsetLimit(1);
        topics.put(new TopicConfig("TopicB", 4, PermName.READ_WRITE));
        assertThat(commit(GROUP, TOPIC, 0, 1).code()).isEqualTo(ResponseCode.SUCCESS);

        assertRefused(commit(GROUP, "TopicB", 0, 1), ResponseCode.NO_PERMISSION, "[LIMIT]",
            "maxConsumerOffsetEntries=1");
        assertThat(offsets.get(GROUP, "TopicB", 0)).isEqualTo(-1);
        // the pair already held keeps accepting commits, on any of its queues
        assertThat(commit(GROUP, TOPIC, 3, 9).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(offsets.get(GROUP, TOPIC, 3)).isEqualTo(9);
    }

    @Test
    void anAcceptedCommitIsWhatTheNextQueryReturns() {
        RemotingCommand resp = commit(GROUP, TOPIC, 2, 17);
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.remark()).isNull();
        assertOffset(query(GROUP, TOPIC, 2, false), 17);
        assertThat(commit(GROUP, TOPIC, 2, 18).code()).isEqualTo(ResponseCode.SUCCESS);
        assertOffset(query(GROUP, TOPIC, 2, null), 18);
    }

    @Test
    void aOnewayCommitIsStoredAndNotAnswered() {
        RemotingCommand req = request(RequestCode.UPDATE_CONSUMER_OFFSET, "consumerGroup", GROUP, "topic", TOPIC,
            "queueId", 0, "commitOffset", 7).markOneway();
        h.start(handlers::updateConsumerOffset, req);
        assertThat(h.nextReply()).isNull();
        assertThat(offsets.get(GROUP, TOPIC, 0)).isEqualTo(7);
    }

    // ------------------------------------------------------------------ store lookups

    @Test
    void maxAndMinOffsetsComeFromTheStore() {
        for (int i = 0; i < 5; i++) {
            store.add(TOPIC, 3, "m" + i, null, 1000 + i);
        }
        store.dropBefore(TOPIC, 3, 2);
        RemotingCommand max = h.call(handlers::maxOffset, request(RequestCode.GET_MAX_OFFSET, "topic", TOPIC, "queueId", 3));
        assertOffset(max, 5);
        RemotingCommand min = h.call(handlers::minOffset, request(RequestCode.GET_MIN_OFFSET, "topic", TOPIC, "queueId", 3));
        assertOffset(min, 2);
    }

    @Test
    void anEmptyQueueHasMaxAndMinOffsetZero() {
        assertOffset(h.call(handlers::maxOffset, request(RequestCode.GET_MAX_OFFSET, "topic", TOPIC, "queueId", 0)), 0);
        assertOffset(h.call(handlers::minOffset, request(RequestCode.GET_MIN_OFFSET, "topic", TOPIC, "queueId", 0)), 0);
    }

    @Test
    void theEarliestStoreTimeIsTheOldestStoredMessages() {
        store.add(TOPIC, 0, "a", null, 1000);
        store.add(TOPIC, 0, "b", null, 2000);
        store.dropBefore(TOPIC, 0, 1);
        RemotingCommand resp = h.call(handlers::earliestStoreTime,
            request(RequestCode.GET_EARLIEST_MSG_STORETIME, "topic", TOPIC, "queueId", 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("timestamp")).isEqualTo("2000");
    }

    RemotingCommand search(long timestamp, String boundaryType) {
        return h.call(handlers::searchOffset, request(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, "topic", TOPIC,
            "queueId", 1, "timestamp", timestamp, "boundaryType", boundaryType));
    }

    @Test
    void searchByTimestampWithoutBoundaryFindsTheFirstMessageStoredAtOrAfterIt() {
        store.add(TOPIC, 1, "a", null, 1000);
        store.add(TOPIC, 1, "b", null, 2000);
        store.add(TOPIC, 1, "c", null, 2000);
        store.add(TOPIC, 1, "d", null, 3000);

        assertOffset(search(2000, null), 1);
        assertOffset(search(2500, null), 3);
        assertOffset(search(500, null), 0);
        assertOffset(search(9000, null), 4);
        assertOffset(search(2000, "lower"), 1);
    }

    @Test
    void searchByTimestampWithUpperFindsTheLastMessageStoredAtOrBeforeIt() {
        store.add(TOPIC, 1, "a", null, 1000);
        store.add(TOPIC, 1, "b", null, 2000);
        store.add(TOPIC, 1, "c", null, 2000);
        store.add(TOPIC, 1, "d", null, 3000);

        assertOffset(search(2000, "upper"), 2);
        assertOffset(search(2500, "upper"), 2);
        assertOffset(search(2500, "UPPER"), 2);
        assertOffset(search(9000, "upper"), 3);
    }
}
