package io.quiver.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.send.SendFixture.FakeDiversions;
import io.quiver.broker.send.SendFixture;
import io.quiver.broker.send.TopicResolver;
import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.TestContexts;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: CONSUMER_SEND_MSG_BACK re-reads the failed message from the store and either diverts it to the
 * schedule queues for {@code %RETRY%<group>} (level 3 + reconsumeTimes when the consumer asks for level 0),
 * with RETRY_TOPIC and ORIGIN_MESSAGE_ID set, or stores it in {@code %DLQ%<group>} queue 0 once its retries
 * are used up; unknown groups, missing records and store failures are refused with their codes.
 */
@Timeout(20)
class SendBackHandlerTest {
    static final long NOW = SendFixture.NOW;
    /** Where the consumed message was stored originally (not this broker's address). */
    static final byte[] ORIGIN_HOST = {127, 0, 0, 1};
    static final String GROUP = "G1";
    static final String RETRY = TopicNames.retryTopic(GROUP);
    static final String DLQ = TopicNames.dlqTopic(GROUP);

    @TempDir
    Path dir;
    SendFixture f;
    /** The topic table and resolver the handler uses (the fixture's unless a test replaces them). */
    TopicTable topics;
    TopicResolver resolver;
    MessageStore store;
    EmbeddedChannel channel;
    Traffic traffic;
    final List<List<MessageDraft>> appends = new ArrayList<>();
    /** What the store answers; by default the real store's result. */
    Function<List<MessageDraft>, CompletableFuture<PutResult>> outcome;

    @BeforeEach
    void setUp() {
        f = new SendFixture(dir.resolve("config"));
        topics = f.topics;
        resolver = f.resolver;
        store = TestStores.started(dir.resolve("store"), () -> NOW);
        channel = new EmbeddedChannel();
        traffic = new Traffic(100, () -> NOW, ZoneOffset.UTC);
        outcome = drafts -> CompletableFuture.completedFuture(store.put(drafts, true).join());
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        store.close();
    }

    SendBackHandler handler() {
        MessageAppender appender = (drafts, waitDurable, completeOn) -> {
            assertThat(waitDurable).isTrue();
            appends.add(List.copyOf(drafts));
            return outcome.apply(drafts);
        };
        return new SendBackHandler(f.config, f.groups, topics, resolver, f.topicsChanged::incrementAndGet, store,
            appender, f.diversions, traffic, SendFixture.STORE_HOST);
    }

    /** Replaces the topic table by one that holds no retry or dead-letter topic (group-topic limit 0). */
    void fullOfGroupTopics(Path configDir) {
        topics = new TopicTable(configDir, 1_000, 0);
        topics.load(true, 8);
        resolver = new TopicResolver(topics, f.groups, f.config, () -> {
            f.topicsChanged.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });
    }

    /** Stores a consumed message in {@code topic} and returns its commit-log offset. */
    long consumed(String topic, int reconsumeTimes, Map<String, String> extraProps) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.TAGS, "TagA");
        props.put(MessageProperties.KEYS, "k1");
        props.put(MessageProperties.UNIQ_KEY, "U1");
        props.putAll(extraProps);
        byte[] body = "payload".getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(topic).queueId(1).bornTimestamp(NOW - 10).storeHost(ORIGIN_HOST)
            .storePort(10911).reconsumeTimes(reconsumeTimes).properties(MessageProperties.encode(props))
            .tagsCode("TagA".hashCode());
        d.body(body, 0, body.length);
        PutResult r = store.put(List.of(d), true).join();
        assertThat(r.isStored()).isTrue();
        return r.commitLogOffsets()[0];
    }

    long consumed(int reconsumeTimes) {
        return consumed("TopicA", reconsumeTimes, Map.of());
    }

    static RemotingCommand sendBack(long offset, int delayLevel) {
        return RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK).putExt("offset", offset)
            .putExt("group", GROUP).putExt("delayLevel", delayLevel).putExt("originTopic", "TopicA");
    }

    RemotingCommand handle(RemotingCommand req) {
        handler().handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        assertThat(resp).as("a response was written").isNotNull();
        assertThat(resp.isResponse()).isTrue();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        assertThat((Object) channel.readOutbound()).isNull();
        return resp;
    }

    List<DecodedMessage> read(String topic, int queueId) {
        List<DecodedMessage> out = new ArrayList<>();
        for (ByteBuffer b : store.getCopies(topic, queueId, 0, 100, 0, MessageFilter.ALL).records()) {
            out.add(MessageRecord.decode(b, 0));
        }
        return out;
    }

    FakeDiversions.Call onlyScheduleCall() {
        assertThat(f.diversions.calls).hasSize(1);
        FakeDiversions.Call c = f.diversions.calls.get(0);
        assertThat(c.kind()).isEqualTo("schedule");
        return c;
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void anUnknownGroupIsRefusedWhenGroupsAreNotCreatedAutomatically() {
        f.config.autoCreateSubscriptionGroup = false;
        RemotingCommand resp = handle(sendBack(consumed(0), 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST).isEqualTo(26);
        assertThat(resp.remark()).contains("consumer group " + GROUP + " does not exist");
        assertThat(appends).isEmpty();
        assertThat(f.groups.get(GROUP)).isNull();
    }

    @Test
    void aReadOnlyBrokerRefusesSendBack() {
        f.config.brokerPermission = 4;
        RemotingCommand resp = handle(sendBack(consumed(0), 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(appends).isEmpty();
    }

    @Test
    void aGroupWithoutRetryQueuesDropsTheMessageSuccessfully() {
        SubscriptionGroupConfig g = new SubscriptionGroupConfig(GROUP);
        g.retryQueueNums = 0;
        f.groups.put(g);
        RemotingCommand resp = handle(sendBack(consumed(0), 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(appends).isEmpty();
        assertThat(f.diversions.calls).isEmpty();
    }

    @Test
    void aMissingRecordIsASystemError() {
        consumed(0);
        long nowhere = store.commitLogWritePosition() + 4_096;
        RemotingCommand resp = handle(sendBack(nowhere, 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).isEqualTo("look message by offset failed, " + nowhere);
        assertThat(appends).isEmpty();
    }

    @Test
    void aRetryTopicBeyondTheTopicLimitIsRefused(@TempDir Path other) {
        fullOfGroupTopics(other);
        RemotingCommand resp = handle(sendBack(consumed(0), 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(resp.remark()).contains("retry topic " + RETRY + " cannot be created");
        assertThat(topics.get(RETRY)).isNull();
        assertThat(appends).isEmpty();
        assertThat(f.diversions.calls).isEmpty();
    }

    @Test
    void aFailedAppendIsASystemError() {
        outcome = drafts -> CompletableFuture.completedFuture(
            new PutResult(PutResult.Status.DISK_FULL, "disk full", new long[0], new long[0], 0));
        RemotingCommand resp = handle(sendBack(consumed(0), 0));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("storing the message for retry failed").contains("disk full");
        assertThat(traffic.retries()).isZero();
    }

    // ------------------------------------------------------------------ retries

    @Test
    void aFirstFailureIsScheduledAtLevelThreeForTheRetryTopic() {
        long offset = consumed("TopicA", 0, Map.of(MessageProperties.DELAY, "2"));
        RemotingCommand resp = handle(sendBack(offset, 0));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.remark()).isNull();
        FakeDiversions.Call c = onlyScheduleCall();
        assertThat(c.arg()).isEqualTo(3);
        assertThat(c.props()).containsEntry(MessageProperties.RETRY_TOPIC, "TopicA")
            .containsEntry(MessageProperties.ORIGIN_MESSAGE_ID, MessageId.offsetId(ORIGIN_HOST, 10911, offset))
            .containsEntry(MessageProperties.WAIT, "false").containsEntry(MessageProperties.TAGS, "TagA")
            .containsEntry(MessageProperties.KEYS, "k1").containsEntry(MessageProperties.UNIQ_KEY, "U1")
            .doesNotContainKey(MessageProperties.DELAY);

        MessageDraft d = c.draft();
        assertThat(appends).singleElement().satisfies(a -> assertThat(a).singleElement().isSameAs(d));
        assertThat(d.topic()).isEqualTo(RETRY);
        assertThat(d.queueId()).isZero();
        assertThat(d.reconsumeTimes()).isEqualTo(1);
        assertThat(d.storeHost()).containsExactly(SendFixture.STORE_HOST);
        assertThat(d.storePort()).isEqualTo(SendFixture.STORE_PORT);
        assertThat(SendFixture.bodyOf(d)).isEqualTo("payload");

        assertThat(f.topics.get(RETRY)).isNotNull();
        assertThat(f.topics.get(RETRY).writeQueueNums).isEqualTo(1);
        assertThat(f.topicsChanged).hasValue(1);
        assertThat(traffic.retries()).isEqualTo(1);
        assertThat(traffic.deadLetters()).isZero();
        assertThat(read(DLQ, 0)).isEmpty();
    }

    @Test
    void levelZeroBacksOffFurtherWithEachReconsume() {
        handle(sendBack(consumed(4), 0));
        assertThat(onlyScheduleCall().arg()).isEqualTo(7);
        assertThat(onlyScheduleCall().draft().reconsumeTimes()).isEqualTo(5);
    }

    @Test
    void anExplicitDelayLevelIsKept() {
        handle(sendBack(consumed(4), 2));
        assertThat(onlyScheduleCall().arg()).isEqualTo(2);
    }

    @Test
    void aRetriedMessageKeepsItsOriginalTopicAndTheOriginMsgIdTheConsumerSent() {
        long offset = consumed(RETRY, 1, Map.of(MessageProperties.RETRY_TOPIC, "TopicA"));
        RemotingCommand req = sendBack(offset, 0).putExt("originMsgId", "ORIGIN-1");
        assertThat(handle(req).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(onlyScheduleCall().props()).containsEntry(MessageProperties.RETRY_TOPIC, "TopicA")
            .containsEntry(MessageProperties.ORIGIN_MESSAGE_ID, "ORIGIN-1");
        assertThat(onlyScheduleCall().arg()).isEqualTo(4);
    }

    @Test
    void theClientsMaximumOverridesTheGroupsForRetrying() {
        RemotingCommand req = sendBack(consumed(16), 0).putExt("maxReconsumeTimes", 20);
        assertThat(handle(req).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(onlyScheduleCall().arg()).isEqualTo(19);
        assertThat(read(DLQ, 0)).isEmpty();
    }

    // ------------------------------------------------------------------ dead letters

    @Test
    void exhaustedRetriesGoToTheDeadLetterQueueZero() {
        long offset = consumed(16);
        RemotingCommand resp = handle(sendBack(offset, 0));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.diversions.calls).isEmpty();
        assertThat(read(DLQ, 0)).singleElement().satisfies(m -> {
            assertThat(m.topic).isEqualTo(DLQ);
            assertThat(m.queueId).isZero();
            assertThat(m.reconsumeTimes).isEqualTo(17);
            assertThat(new String(m.body, StandardCharsets.UTF_8)).isEqualTo("payload");
            assertThat(m.storeHost).containsExactly(SendFixture.STORE_HOST);
            assertThat(m.propertyMap()).containsEntry(MessageProperties.RETRY_TOPIC, "TopicA")
                .containsEntry(MessageProperties.ORIGIN_MESSAGE_ID, MessageId.offsetId(ORIGIN_HOST, 10911, offset))
                .containsEntry(MessageProperties.UNIQ_KEY, "U1");
        });
        assertThat(store.tagsCodeAt(DLQ, 0, 0)).isEqualTo((long) "TagA".hashCode());
        assertThat(f.topics.get(DLQ)).isNotNull();
        assertThat(f.topics.get(RETRY)).as("no retry topic for a dead letter").isNull();
        assertThat(traffic.deadLetters()).isEqualTo(1);
        assertThat(traffic.retries()).isZero();
    }

    @Test
    void aNegativeDelayLevelIsADeadLetterAtOnce() {
        assertThat(handle(sendBack(consumed(0), -1)).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.diversions.calls).isEmpty();
        assertThat(read(DLQ, 0)).singleElement().satisfies(m -> assertThat(m.reconsumeTimes).isEqualTo(1));
    }

    @Test
    void theClientsMaximumAndTheGroupsRetryMaxTimesBothBound() {
        RemotingCommand req = sendBack(consumed(2), 0).putExt("maxReconsumeTimes", 2);
        assertThat(handle(req).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(read(DLQ, 0)).hasSize(1);

        SubscriptionGroupConfig g = f.groups.get(GROUP);
        g.retryMaxTimes = 1;
        assertThat(handle(sendBack(consumed(1), 0)).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(read(DLQ, 0)).hasSize(2);
        assertThat(f.diversions.calls).isEmpty();
    }

    @Test
    void aDeadLetterQueueBeyondTheTopicLimitIsRefused(@TempDir Path other) {
        fullOfGroupTopics(other);
        RemotingCommand resp = handle(sendBack(consumed(0), -1));
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(resp.remark()).contains(DLQ).contains("cannot be created");
        assertThat(topics.get(DLQ)).isNull();
        assertThat(appends).isEmpty();
    }
}
