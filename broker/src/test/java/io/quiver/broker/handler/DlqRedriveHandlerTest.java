package io.quiver.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.testing.StoredMessages;
import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.TestContexts;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: the DLQ redrive moves each of a group's dead letters back to {@code %RETRY%<group>} once (with a
 * fresh retry count and no DELAY), remembers how far it got, and answers with the counts in its JSON body.
 */
@Timeout(20)
class DlqRedriveHandlerTest {
    static final long T0 = 1_700_000_000_000L;
    static final byte[] HOST = {10, 0, 0, 7};
    static final String GROUP = "G1";
    static final String RETRY = TopicNames.retryTopic(GROUP);
    static final String DLQ = TopicNames.dlqTopic(GROUP);

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(T0);
    final BrokerConfig config = new BrokerConfig();
    final AtomicInteger topicsChanged = new AtomicInteger();
    SubscriptionGroupTable groups;
    TopicTable topics;
    ConsumerOffsetTable offsets;
    MessageStore store;
    EmbeddedChannel channel;
    /** Drafts handed to the appender, one list per append. */
    final List<List<MessageDraft>> appends = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Path conf = dir.resolve("config");
        groups = new SubscriptionGroupTable(conf, 100);
        groups.load();
        topics = new TopicTable(conf, 100);
        topics.load(true, 8);
        offsets = new ConsumerOffsetTable(conf, 100);
        store = TestStores.started(dir.resolve("store"), now::get);
        channel = new EmbeddedChannel();
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        store.close();
    }

    DlqRedriveHandler handler() {
        MessageAppender appender = (drafts, waitDurable, completeOn) -> {
            appends.add(List.copyOf(drafts));
            return store.put(drafts, waitDurable);
        };
        return new DlqRedriveHandler(config, groups, topics, topicsChanged::incrementAndGet, offsets, store, appender,
            HOST);
    }

    /** Stores a dead letter (as SendBackHandler does: queue 0, reconsumeTimes past the maximum). */
    void deadLetter(String body) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.TAGS, "TagA");
        props.put(MessageProperties.UNIQ_KEY, "U-" + body);
        props.put(MessageProperties.RETRY_TOPIC, "TopicA");
        props.put(MessageProperties.DELAY, "3");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(DLQ).queueId(0).bornTimestamp(T0).storeHost(new byte[] {127, 0, 0, 1})
            .storePort(10911).reconsumeTimes(17).properties(MessageProperties.encode(props)).tagsCode("TagA".hashCode());
        d.body(b, 0, b.length);
        assertThat(store.put(List.of(d), true).join().isStored()).isTrue();
    }

    static RemotingCommand redrive() {
        return RemotingCommand.request(RequestCode.QUIVER_DLQ_REDRIVE).putExt("group", GROUP);
    }

    RemotingCommand handle(RemotingCommand req) {
        handler().handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        assertThat(resp).as("a response was written").isNotNull();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        assertThat((Object) channel.readOutbound()).isNull();
        return resp;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> body(RemotingCommand resp) throws Exception {
        assertThat(resp.code()).as("remark: %s", resp.remark()).isEqualTo(ResponseCode.SUCCESS);
        return Json.mapper().readValue(resp.body(), Map.class);
    }

    List<DecodedMessage> read(String topic, int queueId) {
        return StoredMessages.read(store, topic, queueId);
    }

    static String text(DecodedMessage m) {
        return StoredMessages.text(m);
    }

    @Test
    void deadLettersMoveBackToTheRetryTopicOnceEach() throws Exception {
        deadLetter("a");
        deadLetter("b");
        deadLetter("c");

        Map<String, Object> first = body(handle(redrive()));
        assertThat(first).containsEntry("brokerName", "broker-a").containsEntry("moved", 3)
            .containsEntry("fromOffset", 0).containsEntry("toOffset", 3).containsEntry("remaining", 0);
        List<DecodedMessage> retried = read(RETRY, 0);
        assertThat(retried).extracting(DlqRedriveHandlerTest::text).containsExactly("a", "b", "c");
        assertThat(retried).allSatisfy(m -> {
            assertThat(m.reconsumeTimes).as("a fresh retry budget").isZero();
            assertThat(m.storeHost).containsExactly(HOST);
            assertThat(m.propertyMap()).doesNotContainKey(MessageProperties.DELAY)
                .containsEntry(MessageProperties.WAIT, "false").containsEntry(MessageProperties.RETRY_TOPIC, "TopicA")
                .containsEntry(MessageProperties.TAGS, "TagA");
        });
        assertThat(store.tagsCodeAt(RETRY, 0, 0)).isEqualTo((long) "TagA".hashCode());
        assertThat(topics.get(RETRY)).isNotNull();
        assertThat(topicsChanged).hasValue(1);
        assertThat(offsets.get(DlqRedriveHandler.PROGRESS_GROUP, DLQ, 0)).isEqualTo(3);
        assertThat(read(DLQ, 0)).as("the dead letters themselves stay").hasSize(3);

        Map<String, Object> second = body(handle(redrive()));
        assertThat(second).containsEntry("moved", 0).containsEntry("fromOffset", 3).containsEntry("toOffset", 3)
            .containsEntry("remaining", 0);
        assertThat(read(RETRY, 0)).hasSize(3);

        deadLetter("d");
        assertThat(body(handle(redrive()))).containsEntry("moved", 1).containsEntry("fromOffset", 3)
            .containsEntry("toOffset", 4);
        assertThat(read(RETRY, 0)).extracting(DlqRedriveHandlerTest::text).containsExactly("a", "b", "c", "d");
    }

    @Test
    void anEmptyDeadLetterQueueMovesNothingAndCreatesNoTopic() throws Exception {
        assertThat(body(handle(redrive()))).containsEntry("moved", 0).containsEntry("remaining", 0);
        assertThat(topics.get(RETRY)).isNull();
        assertThat(topicsChanged).hasValue(0);
        assertThat(appends).isEmpty();
    }

    @Test
    void aLimitMovesThatManyAndReportsTheRest() throws Exception {
        for (String s : List.of("a", "b", "c", "d", "e")) {
            deadLetter(s);
        }
        assertThat(body(handle(redrive().putExt("limit", 2)))).containsEntry("moved", 2).containsEntry("toOffset", 2)
            .containsEntry("remaining", 3);
        assertThat(body(handle(redrive()))).containsEntry("moved", 3).containsEntry("fromOffset", 2)
            .containsEntry("remaining", 0);
        assertThat(read(RETRY, 0)).extracting(DlqRedriveHandlerTest::text).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void sinceStartsAtTheFirstDeadLetterStoredAtOrAfterIt() throws Exception {
        deadLetter("old");
        now.set(T0 + 60_000);
        deadLetter("new1");
        now.set(T0 + 120_000);
        deadLetter("new2");

        assertThat(body(handle(redrive().putExt("since", T0 + 60_000)))).containsEntry("moved", 2)
            .containsEntry("fromOffset", 1).containsEntry("toOffset", 3);
        assertThat(read(RETRY, 0)).extracting(DlqRedriveHandlerTest::text).containsExactly("new1", "new2");
    }

    @Test
    void redrivenMessagesAreSpreadOverTheGroupsRetryQueues() throws Exception {
        SubscriptionGroupConfig g = new SubscriptionGroupConfig(GROUP);
        g.retryQueueNums = 2;
        groups.put(g);
        deadLetter("a");
        deadLetter("b");
        deadLetter("c");
        assertThat(body(handle(redrive()))).containsEntry("moved", 3);
        assertThat(topics.get(RETRY).writeQueueNums).isEqualTo(2);
        assertThat(read(RETRY, 0)).extracting(DlqRedriveHandlerTest::text).containsExactly("a", "c");
        assertThat(read(RETRY, 1)).extracting(DlqRedriveHandlerTest::text).containsExactly("b");
    }

    @Test
    void aFailedAppendStopsTheRedriveWithoutRecordingProgress() {
        deadLetter("a");
        MessageAppender failing = (drafts, waitDurable, completeOn) -> CompletableFuture.completedFuture(
            new PutResult(PutResult.Status.DISK_FULL, "disk full", new long[0], new long[0], 0));
        DlqRedriveHandler h = new DlqRedriveHandler(config, groups, topics, topicsChanged::incrementAndGet, offsets,
            store, failing, HOST);
        RemotingCommand req = redrive();
        h.handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("redrive stopped after 0 message(s)").contains("disk full");
        assertThat(offsets.get(DlqRedriveHandler.PROGRESS_GROUP, DLQ, 0)).isEqualTo(-1);
    }

    /** When the redrive's progress cannot be recorded (offset table full), nothing moves, so nothing moves twice. */
    @Test
    void deadLettersAreNotMovedTwiceWhenTheOffsetTableIsFull() throws Exception {
        offsets = new ConsumerOffsetTable(dir.resolve("config"), 0);
        deadLetter("a");
        deadLetter("b");
        handle(redrive());
        handle(redrive());
        assertThat(read(RETRY, 0)).as("each dead letter moves once").hasSizeLessThanOrEqualTo(2);
    }

    /** A retry topic that cannot be created (at its limit) refuses the redrive: nothing is moved or recorded. */
    @Test
    void aRetryTopicBeyondTheTopicLimitIsRefusedAndNothingMoves(@TempDir Path other) {
        topics = new TopicTable(other, 1_000, 0); // no room for any retry or dead-letter topic
        topics.load(true, 8);
        deadLetter("a");
        RemotingCommand resp = handle(redrive());
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(read(RETRY, 0)).isEmpty();
        assertThat(offsets.get(DlqRedriveHandler.PROGRESS_GROUP, DLQ, 0)).isEqualTo(-1);
    }
}
