package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unit tier: TopicAdminHandlers validates a topic creation (name, system topic, queue counts 1..1024,
 * message.type) and answers it only once the topic table's write finished, refuses it at the topic limit,
 * and deletes a topic together with its consumer offsets and traffic counters.
 */
@Timeout(10)
class TopicAdminHandlersTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final BrokerConfig config = new BrokerConfig();
    final AtomicInteger registrations = new AtomicInteger();
    final Traffic traffic = new Traffic(100, () -> 1_700_000_000_000L, ZoneOffset.UTC);
    /** Table writes queued here run only when a test says so. */
    final List<Runnable> pendingWrites = new ArrayList<>();
    TopicTable topics;
    ConsumerOffsetTable offsets;
    TopicAdminHandlers handlers;

    @BeforeEach
    void setUp() {
        useTopicLimit(100);
    }

    void useTopicLimit(int limit) {
        topics = new TopicTable(dir, limit);
        offsets = new ConsumerOffsetTable(dir, 100);
        handlers = new TopicAdminHandlers(config, topics, offsets, traffic, () -> {
            registrations.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    static RemotingCommand create(String topic, int read, int write, String attributes) {
        return request(RequestCode.UPDATE_AND_CREATE_TOPIC, "topic", topic, "defaultTopic", "TBW102",
            "readQueueNums", read, "writeQueueNums", write, "perm", 6, "topicFilterType", "SINGLE_TAG",
            "topicSysFlag", 0, "order", false, "attributes", attributes);
    }

    void assertRefusedAndNotCreated(RemotingCommand resp, String topic, int code, String... remarkParts) {
        assertThat(resp.code()).isEqualTo(code);
        assertThat(resp.remark()).contains(remarkParts);
        assertThat(topics.get(topic)).isNull();
        assertThat(registrations).hasValue(0);
    }

    @Test
    void anInvalidNameIsRefused() {
        assertRefusedAndNotCreated(h.call(handlers::createTopic, create("bad/name", 4, 4, null)), "bad/name",
            ResponseCode.SYSTEM_ERROR, "invalid topic", "'/'");
    }

    @ParameterizedTest
    @ValueSource(strings = {TopicNames.SCHEDULE_TOPIC, TopicNames.AUTO_CREATE_TEMPLATE, "rmq_sys_mine", "RMQ_SYS_TRANS_HALF_TOPIC"})
    void aSystemTopicIsRefused(String topic) {
        assertRefusedAndNotCreated(h.call(handlers::createTopic, create(topic, 4, 4, null)), topic,
            ResponseCode.SYSTEM_ERROR, "The topic[" + topic + "] is conflict with system topic.");
    }

    @ParameterizedTest(name = "read {0} write {1}")
    @org.junit.jupiter.params.provider.CsvSource({"0, 4", "4, 0", "1025, 4", "4, 1025", "-1, 4"})
    void queueCountsOutside1To1024AreRefused(int read, int write) {
        assertRefusedAndNotCreated(h.call(handlers::createTopic, create("T1", read, write, null)), "T1",
            ResponseCode.SYSTEM_ERROR, "queue counts must be between 1 and 1024", "read " + read + " write " + write);
    }

    @Test
    void queueCountsOf1And1024AreAccepted() {
        assertThat(h.call(handlers::createTopic, create("T1", 1, 1024, null)).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(topics.get("T1").readQueueNums).isEqualTo(1);
        assertThat(topics.get("T1").writeQueueNums).isEqualTo(1024);
    }

    @Test
    void anUnknownMessageTypeIsRefused() {
        assertRefusedAndNotCreated(h.call(handlers::createTopic, create("T1", 4, 4, "+message.type=BOGUS")), "T1",
            ResponseCode.SYSTEM_ERROR, "message.type must be NORMAL, FIFO, DELAY, TRANSACTION or MIXED, got BOGUS");
    }

    @Test
    void aKnownMessageTypeIsKeptAndMixedMeansNoDeclaration() {
        assertThat(h.call(handlers::createTopic, create("Tx", 4, 4, "+message.type=TRANSACTION,+other=x")).code())
            .isEqualTo(ResponseCode.SUCCESS);
        assertThat(topics.get("Tx").attributes).containsEntry("message.type", "TRANSACTION").containsEntry("other", "x");

        assertThat(h.call(handlers::createTopic, create("Mixed", 4, 4, "+message.type=mixed,+other=y")).code())
            .isEqualTo(ResponseCode.SUCCESS);
        assertThat(topics.get("Mixed").attributes).doesNotContainKey("message.type").containsEntry("other", "y");
    }

    /** The table as a restarted broker would load it from the directory. */
    private TopicTable onDisk() {
        TopicTable t = new TopicTable(dir, 1_000);
        t.load(true, 8);
        return t;
    }

    @Test
    void aCreationIsAnsweredOnlyAfterTheTableIsWritten() {
        topics.writeOn(pendingWrites::add);
        RemotingCommand req = create("Fresh", 8, 4, null);

        h.start(handlers::createTopic, req);
        assertThat(h.nextReply()).as("no answer before the write").isNull();
        assertThat(topics.get("Fresh")).as("applied in memory at once").isNotNull();
        assertThat(registrations).hasValue(1);
        assertThat(onDisk().get("Fresh")).as("not on disk yet").isNull();

        assertThat(pendingWrites).hasSize(1);
        pendingWrites.remove(0).run();
        RemotingCommand resp = h.nextReply();
        assertThat(resp).isNotNull();
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        assertThat(onDisk().get("Fresh")).as("on disk").isNotNull();
        TopicConfig c = topics.get("Fresh");
        assertThat(c.readQueueNums).isEqualTo(8);
        assertThat(c.writeQueueNums).isEqualTo(4);
        assertThat(c.perm).isEqualTo(6);
        assertThat(c.topicFilterType).isEqualTo("SINGLE_TAG");
    }

    @Test
    void aCreationWithTheDefaultWriterIsAnsweredAtOnceAndOnDisk() throws Exception {
        topics.writeOn(Runnable::run);
        RemotingCommand resp = h.call(handlers::createTopic, create("Fresh", 2, 2, null));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(onDisk().get("Fresh")).as("on disk").isNotNull();
    }

    @Test
    void aCreationAtTheTopicLimitIsRefusedNamingTheLimit() {
        useTopicLimit(1);
        assertThat(h.call(handlers::createTopic, create("First", 4, 4, null)).code()).isEqualTo(ResponseCode.SUCCESS);
        registrations.set(0);

        assertRefusedAndNotCreated(h.call(handlers::createTopic, create("Second", 4, 4, null)), "Second",
            ResponseCode.NO_PERMISSION, "[LIMIT]", "maxTopicCount=1");

        // updating the topic already held is not a creation
        assertThat(h.call(handlers::createTopic, create("First", 8, 8, null)).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(topics.get("First").readQueueNums).isEqualTo(8);
    }

    @Test
    void deleteRemovesTheTopicItsOffsetsAndItsCounters() {
        topics.put(new TopicConfig("Gone", 4, PermName.READ_WRITE));
        topics.put(new TopicConfig("Kept", 4, PermName.READ_WRITE));
        offsets.commit("G1", "Gone", 0, 5);
        offsets.commit("G2", "Gone", 1, 6);
        offsets.commit("G1", "Kept", 0, 7);
        traffic.stored("Gone", 1, 10);
        traffic.stored("Kept", 1, 10);

        RemotingCommand resp = h.call(handlers::deleteTopic,
            request(RequestCode.DELETE_TOPIC_IN_BROKER, "topic", "Gone"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(topics.get("Gone")).isNull();
        assertThat(topics.get("Kept")).isNotNull();
        assertThat(offsets.get("G1", "Gone", 0)).isEqualTo(-1);
        assertThat(offsets.get("G2", "Gone", 1)).isEqualTo(-1);
        assertThat(offsets.get("G1", "Kept", 0)).isEqualTo(7);
        assertThat(traffic.byTopic()).containsOnlyKeys("Kept");
        assertThat(registrations).hasValue(1);
    }

    /** Deleting a topic is answered only once the table without it is on disk, as creating one is. */
    @Test
    void aDeletionIsAnsweredOnlyAfterTheTableIsWritten() {
        topics.put(new TopicConfig("Gone", 4, PermName.READ_WRITE));
        topics.writeOn(pendingWrites::add);

        RemotingCommand resp = h.callAcrossWrite(handlers::deleteTopic,
            request(RequestCode.DELETE_TOPIC_IN_BROKER, "topic", "Gone"), () -> pendingWrites.remove(0).run());
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void deletingASystemTopicIsRefused() {
        topics.load(true, 8);
        RemotingCommand resp = h.call(handlers::deleteTopic,
            request(RequestCode.DELETE_TOPIC_IN_BROKER, "topic", TopicNames.AUTO_CREATE_TEMPLATE));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("conflict with system topic");
        assertThat(topics.get(TopicNames.AUTO_CREATE_TEMPLATE)).isNotNull();
    }

    @Test
    void oneTopicsConfigIsReturnedOrTopicNotExist() {
        topics.put(new TopicConfig("T1", 3, PermName.READ));
        RemotingCommand found = h.call(handlers::topicConfig, request(RequestCode.GET_TOPIC_CONFIG, "topic", "T1"));
        assertThat(found.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode c = HandlerHarness.bodyJson(found).get("topicConfig");
        assertThat(c.get("topicName").asText()).isEqualTo("T1");
        assertThat(c.get("readQueueNums").asInt()).isEqualTo(3);
        assertThat(c.get("perm").asInt()).isEqualTo(PermName.READ);

        RemotingCommand missing = h.call(handlers::topicConfig, request(RequestCode.GET_TOPIC_CONFIG, "topic", "T2"));
        assertThat(missing.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(missing.remark()).contains("T2");
    }

    @Test
    void allTopicConfigMasksPermissionsByTheBrokersPermission() {
        topics.put(new TopicConfig("T1", 3, PermName.READ_WRITE));
        config.brokerPermission = PermName.READ;
        RemotingCommand resp = h.call(handlers::allTopicConfig, request(RequestCode.GET_ALL_TOPIC_CONFIG));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode body = HandlerHarness.bodyJson(resp);
        assertThat(body.get("topicConfigTable").get("T1").get("perm").asInt()).isEqualTo(PermName.READ);
        assertThat(body.get("dataVersion").get("counter").asLong()).isEqualTo(topics.dataVersion().counter);
        assertThat(topics.get("T1").perm).as("the table itself is unchanged").isEqualTo(PermName.READ_WRITE);
    }
}
