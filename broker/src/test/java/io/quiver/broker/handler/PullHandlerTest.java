package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.records;
import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.MetricSources;
import io.quiver.broker.metrics.MetricsEndpoint;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.testing.FakeReader;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.PullMessageRequestHeader;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.PermName;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: PullHandler checks a pull in the official order (broker readable, group, topic, queue,
 * subscription), answers found records byte for byte with the next/min/max offsets, maps every other
 * store outcome to the official pull codes, and parks a pull that finds nothing in LongPollingService
 * until a message arrives (answered with it) or its hold time ends (answered PULL_NOT_FOUND).
 */
@Timeout(10)
class PullHandlerTest {
    static final String TOPIC = "TopicA";
    static final String GROUP = "G1";
    static final int SUSPEND_MILLIS = 15_000;

    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final HandlerHarness.IpChannel memberChannel = new HandlerHarness.IpChannel();
    final FakeReader store = new FakeReader();
    final BrokerConfig config = new BrokerConfig();
    final ClientRegistry clients = new ClientRegistry(10);
    final Traffic traffic = new Traffic(100, () -> 1_700_000_000_000L, ZoneOffset.UTC);
    /** The long-poll service's clock; starts at the wall clock, as the handler's deadlines do. */
    final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    final LongPollingService longPolling = new LongPollingService(clock::get, Runnable::run);
    SubscriptionGroupTable groups;
    TopicTable topics;
    ConsumerOffsetTable offsets;
    PullHandler handler;

    @BeforeEach
    void setUp() {
        groups = new SubscriptionGroupTable(dir, 100);
        topics = new TopicTable(dir, 100);
        offsets = new ConsumerOffsetTable(dir, 100);
        groups.put(new SubscriptionGroupConfig(GROUP));
        topics.put(new TopicConfig(TOPIC, 4, PermName.READ_WRITE));
        MetricsEndpoint metrics = new MetricsEndpoint(new MetricSources(traffic, null, offsets, clients, Map::of,
            () -> 0, () -> 0, longPolling::parkedCount, 100, null, null));
        handler = new PullHandler(config, groups, topics, offsets, store, longPolling, traffic, metrics, clients);
    }

    @AfterEach
    void tearDown() {
        h.close();
        memberChannel.finishAndReleaseAll();
    }

    /** A pull request as the official client builds it; the subscription travels in the header if given. */
    static RemotingCommand pull(String group, String topic, int queueId, long offset, int sysFlag, String subscription) {
        int flag = subscription != null ? sysFlag | PullMessageRequestHeader.FLAG_SUBSCRIPTION : sysFlag;
        return request(RequestCode.PULL_MESSAGE, "consumerGroup", group, "topic", topic, "queueId", queueId,
            "queueOffset", offset, "maxMsgNums", 32, "sysFlag", flag, "commitOffset", 0,
            "suspendTimeoutMillis", SUSPEND_MILLIS, "subscription", subscription, "subVersion", 1,
            "expressionType", "TAG");
    }

    static RemotingCommand pull(long offset, String subscription) {
        return pull(GROUP, TOPIC, 1, offset, 0, subscription);
    }

    void heartbeat(String group, long subVersion, String... topics) {
        HeartbeatData.ConsumerData d = HandlerHarness.consumer(group, subVersion, topics);
        clients.registerConsumer(d, new ClientChannel(memberChannel, "client-1", LanguageCode.JAVA, 409, 1), 1);
    }

    RemotingCommand call(RemotingCommand req) {
        return h.call(handler, req);
    }

    static void assertRefused(RemotingCommand resp, int code, String... remarkParts) {
        assertThat(resp.code()).isEqualTo(code);
        assertThat(resp.remark()).contains(remarkParts);
        assertThat(resp.ext("nextBeginOffset")).isNull();
        assertThat(resp.bodyLength()).isZero();
    }

    // ------------------------------------------------------------------ checks, in the official order

    @Test
    void anUnreadableBrokerIsCheckedFirst() {
        config.brokerPermission = PermName.WRITE;
        config.autoCreateSubscriptionGroup = false;
        assertRefused(call(pull("Unknown", "NoTopic", 9, 0, 0, null)), ResponseCode.NO_PERMISSION, "is not readable");
    }

    @Test
    void anUnknownGroupWithoutAutoCreationIsCheckedBeforeTheTopic() {
        config.autoCreateSubscriptionGroup = false;
        assertRefused(call(pull("Unknown", "NoTopic", 9, 0, 0, null)), ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
            "consumer group Unknown does not exist", "autoCreateSubscriptionGroup is false");
        assertThat(groups.get("Unknown")).isNull();
    }

    @Test
    void anUnknownGroupIsCreatedWhenAutoCreationIsOn() {
        assertRefused(call(pull("Fresh", "NoTopic", 0, 0, 0, null)), ResponseCode.TOPIC_NOT_EXIST, "NoTopic");
        assertThat(groups.get("Fresh")).isNotNull();
    }

    @Test
    void aGroupThatMayNotConsumeIsRefused() {
        SubscriptionGroupConfig off = new SubscriptionGroupConfig("Off");
        off.consumeEnable = false;
        groups.put(off);
        assertRefused(call(pull("Off", "NoTopic", 0, 0, 0, null)), ResponseCode.NO_PERMISSION, "consumeEnable=false");
    }

    @Test
    void anUnknownTopicIsCheckedBeforeTheQueue() {
        assertRefused(call(pull(GROUP, "NoTopic", 99, 0, 0, null)), ResponseCode.TOPIC_NOT_EXIST,
            "topic NoTopic does not exist on broker " + config.brokerName);
    }

    @Test
    void anUnreadableTopicIsRefused() {
        topics.put(new TopicConfig("WriteOnly", 4, PermName.WRITE));
        assertRefused(call(pull(GROUP, "WriteOnly", 0, 0, 0, "*")), ResponseCode.NO_PERMISSION,
            "topic WriteOnly is not readable");
    }

    @Test
    void aQueueOutsideTheTopicIsCheckedBeforeTheSubscription() {
        assertRefused(call(pull(GROUP, TOPIC, 4, 0, 0, null)), ResponseCode.SYSTEM_ERROR, "queueId 4 is illegal",
            "4 read queues");
        assertRefused(call(pull(GROUP, TOPIC, -1, 0, 0, null)), ResponseCode.SYSTEM_ERROR, "queueId -1 is illegal");
    }

    @Test
    void aGroupWithoutHeartbeatHasNoSubscription() {
        assertRefused(call(pull(0, null)), ResponseCode.SUBSCRIPTION_NOT_EXIST, "has not registered");
    }

    @Test
    void aGroupNotSubscribedToTheTopicHasNoSubscription() {
        heartbeat(GROUP, 1, "OtherTopic");
        assertRefused(call(pull(0, null)), ResponseCode.SUBSCRIPTION_NOT_EXIST,
            "consumer group G1 has not subscribed to topic TopicA");
    }

    @Test
    void anOlderSubscriptionThanThePullsIsNotLatest() {
        heartbeat(GROUP, 0, TOPIC);
        assertRefused(call(pull(0, null)), ResponseCode.SUBSCRIPTION_NOT_LATEST, "not the latest");
    }

    @Test
    void aRefusedPullCommitsNothing() {
        RemotingCommand req = pull(GROUP, TOPIC, 1, 0, PullMessageRequestHeader.FLAG_COMMIT_OFFSET, null);
        req.putExt("commitOffset", "5");
        assertThat(call(req).code()).isEqualTo(ResponseCode.SUBSCRIPTION_NOT_EXIST);
        assertThat(offsets.get(GROUP, TOPIC, 1)).isEqualTo(-1);
    }

    // ------------------------------------------------------------------ reads

    @Test
    void aPullThatFindsMessagesReturnsTheStoredRecordsAndTheOffsets() {
        long a = store.add(TOPIC, 1, "m0", "A", 1000);
        store.add(TOPIC, 1, "m1", "B", 1001);
        long c = store.add(TOPIC, 1, "m2", "A", 1002);
        store.add(TOPIC, 2, "other queue", "A", 1003);

        RemotingCommand resp = call(pull(0, "A"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.remark()).isEqualTo("FOUND");
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("3");
        assertThat(resp.ext("minOffset")).isEqualTo("0");
        assertThat(resp.ext("maxOffset")).isEqualTo("3");
        assertThat(resp.ext("suggestWhichBrokerId")).isEqualTo("0");
        List<DecodedMessage> found = records(resp);
        assertThat(found).extracting(HandlerHarness::bodyOf).containsExactly("m0", "m2");
        assertThat(found).extracting(m -> m.queueOffset).containsExactly(0L, 2L);
        byte[] expected = ByteBuffer.allocate(store.recordAt(a).remaining() + store.recordAt(c).remaining())
            .put(store.recordAt(a)).put(store.recordAt(c)).array();
        assertThat(HandlerHarness.body(resp)).as("the stored bytes, unchanged").isEqualTo(expected);
        assertThat(traffic.byTopic().get(TOPIC).messagesOut.sum()).isEqualTo(2);
        assertThat(traffic.byTopic().get(TOPIC).bytesOut.sum()).isEqualTo(expected.length);
    }

    @Test
    void withSlaveReadEnableAConsumerFarBehindIsSentToTheReplica() {
        store.add(TOPIC, 1, "m0", "A", 1000);
        store.add(TOPIC, 1, "m1", "A", 1001);
        assertThat(call(pull(0, "A")).ext("suggestWhichBrokerId")).as("slaveReadEnable off: the master").isEqualTo("0");
        config.slaveReadEnable = true;
        assertThat(call(pull(0, "A")).ext("suggestWhichBrokerId")).as("the backlog is warm").isEqualTo("0");
        config.accessMessageInMemoryMaxRatio = 0; // any distance from the log's end counts as cold
        assertThat(call(pull(0, "A")).ext("suggestWhichBrokerId")).as("whichBrokerWhenConsumeSlowly").isEqualTo("1");
        SubscriptionGroupConfig g = groups.get(GROUP);
        g.whichBrokerWhenConsumeSlowly = 2;
        assertThat(call(pull(0, "A")).ext("suggestWhichBrokerId")).isEqualTo("2");
    }

    @Test
    void theRegisteredSubscriptionIsUsedWhenThePullCarriesNone() {
        heartbeat(GROUP, 1, TOPIC);
        store.add(TOPIC, 1, "m0", "A", 1000);
        store.add(TOPIC, 1, "m1", "B", 1001);
        RemotingCommand resp = call(pull(0, null));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(resp)).extracting(HandlerHarness::bodyOf).containsExactly("m0", "m1");
    }

    @Test
    void maxMsgNumsBoundsThePullAndACommittedOffsetIsStored() {
        for (int i = 0; i < 5; i++) {
            store.add(TOPIC, 1, "m" + i, null, 1000 + i);
        }
        RemotingCommand req = pull(GROUP, TOPIC, 1, 1, PullMessageRequestHeader.FLAG_COMMIT_OFFSET, "*");
        req.putExt("maxMsgNums", "2");
        req.putExt("commitOffset", "1");

        RemotingCommand resp = call(req);

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(resp)).extracting(HandlerHarness::bodyOf).containsExactly("m1", "m2");
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("3");
        assertThat(offsets.get(GROUP, TOPIC, 1)).isEqualTo(1);
    }

    @Test
    void nothingMatchingTheFilterIsRetryImmediatelyFromPastTheScannedEntries() {
        store.add(TOPIC, 1, "m0", "B", 1000);
        store.add(TOPIC, 1, "m1", "B", 1001);
        RemotingCommand resp = call(pull(0, "A"));
        assertThat(resp.code()).isEqualTo(ResponseCode.PULL_RETRY_IMMEDIATELY);
        assertThat(resp.remark()).isEqualTo("NO_MATCHED_MESSAGE");
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("2");
        assertThat(resp.bodyLength()).isZero();
    }

    @Test
    void offsetsOutsideTheQueueAreOffsetMoved() {
        for (int i = 0; i < 4; i++) {
            store.add(TOPIC, 1, "m" + i, null, 1000 + i);
        }
        store.dropBefore(TOPIC, 1, 2);

        RemotingCommand tooSmall = call(pull(1, "*"));
        assertThat(tooSmall.code()).isEqualTo(ResponseCode.PULL_OFFSET_MOVED);
        assertThat(tooSmall.remark()).isEqualTo("OFFSET_TOO_SMALL");
        assertThat(tooSmall.ext("nextBeginOffset")).isEqualTo("2");
        assertThat(tooSmall.ext("minOffset")).isEqualTo("2");

        RemotingCommand beyond = call(pull(9, "*"));
        assertThat(beyond.code()).isEqualTo(ResponseCode.PULL_OFFSET_MOVED);
        assertThat(beyond.remark()).isEqualTo("OFFSET_OVERFLOW_BADLY");
        assertThat(beyond.ext("nextBeginOffset")).isEqualTo("4");
        assertThat(beyond.ext("maxOffset")).isEqualTo("4");
    }

    @Test
    void anEmptyQueueIsNotFoundAtZeroAndOffsetMovedElsewhere() {
        RemotingCommand atZero = call(pull(0, "*"));
        assertThat(atZero.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
        assertThat(atZero.ext("nextBeginOffset")).isEqualTo("0");

        RemotingCommand elsewhere = call(pull(5, "*"));
        assertThat(elsewhere.code()).isEqualTo(ResponseCode.PULL_OFFSET_MOVED);
        assertThat(elsewhere.remark()).isEqualTo("NO_MESSAGE_IN_QUEUE");
        assertThat(elsewhere.ext("nextBeginOffset")).isEqualTo("0");
    }

    @Test
    void aPullAtTheMaxOffsetWithoutSuspendIsAnsweredNotFoundAtOnce() {
        store.add(TOPIC, 1, "m0", null, 1000);
        RemotingCommand resp = call(pull(1, "*"));
        assertThat(resp.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
        assertThat(resp.remark()).isEqualTo("OFFSET_OVERFLOW_ONE");
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("1");
        assertThat(longPolling.parkedCount()).isZero();
    }

    // ------------------------------------------------------------------ long polling

    RemotingCommand suspendedPull(long offset) {
        return pull(GROUP, TOPIC, 1, offset, PullMessageRequestHeader.FLAG_SUSPEND, "*");
    }

    @Test
    void aSuspendedPullAtTheMaxOffsetIsParkedAndAnsweredWhenAMessageArrives() {
        store.add(TOPIC, 1, "m0", null, 1000);
        RemotingCommand req = suspendedPull(1);

        h.start(handler, req);
        assertThat(h.nextReply()).as("parked, not answered").isNull();
        assertThat(longPolling.parkedCount()).isEqualTo(1);

        longPolling.doWork();
        assertThat(h.nextReply()).as("nothing arrived: still parked").isNull();

        store.add(TOPIC, 1, "m1", "T", 2000);
        longPolling.notifyArrival(TOPIC, 1);
        assertThat(longPolling.doWork()).isEqualTo(1);

        RemotingCommand resp = h.nextReply();
        assertThat(resp).isNotNull();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(resp)).extracting(HandlerHarness::bodyOf).containsExactly("m1");
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("2");
        assertThat(longPolling.parkedCount()).isZero();
        assertThat(h.nextReply()).as("answered once").isNull();
    }

    @Test
    void aSuspendedPullOnAnEmptyQueueIsParkedToo() {
        h.start(handler, suspendedPull(0));
        assertThat(h.nextReply()).isNull();
        assertThat(longPolling.parkedCount()).isEqualTo(1);

        store.add(TOPIC, 1, "first", null, 1000);
        longPolling.notifyArrival(TOPIC, 1);
        longPolling.doWork();
        RemotingCommand resp = h.nextReply();
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(resp)).extracting(HandlerHarness::bodyOf).containsExactly("first");
    }

    @Test
    void anArrivalOnAnotherQueueDoesNotWakeTheParkedPull() {
        h.start(handler, suspendedPull(0));
        store.add(TOPIC, 2, "elsewhere", null, 1000);
        longPolling.notifyArrival(TOPIC, 2);
        assertThat(longPolling.doWork()).isZero();
        assertThat(h.nextReply()).isNull();
        assertThat(longPolling.parkedCount()).isEqualTo(1);
    }

    @Test
    void aParkedPullIsAnsweredNotFoundWhenItsHoldTimeEnds() {
        store.add(TOPIC, 1, "m0", null, 1000);
        h.start(handler, suspendedPull(1));
        assertThat(h.nextReply()).isNull();

        clock.set(System.currentTimeMillis() + SUSPEND_MILLIS + 1_000);
        assertThat(longPolling.doWork()).isEqualTo(1);

        RemotingCommand resp = h.nextReply();
        assertThat(resp).isNotNull();
        assertThat(resp.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
        assertThat(resp.ext("nextBeginOffset")).isEqualTo("1");
        assertThat(longPolling.parkedCount()).isZero();
    }

    @Test
    void aParkedPullIsAnsweredWhenTheServiceStops() {
        h.start(handler, suspendedPull(0));
        assertThat(h.nextReply()).isNull();
        longPolling.close();
        RemotingCommand resp = h.nextReply();
        assertThat(resp).isNotNull();
        assertThat(resp.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
    }

    @Test
    void aMessageStoredBetweenTheReadAndTheParkingStillWakesThePull() {
        // The store's max offset moves past the pull's offset right after the read that found nothing:
        // park() re-reads it and signals the queue itself, so the next cycle resumes the pull.
        FakeReader racing = new FakeReader() {
            boolean added;

            @Override
            public synchronized long maxOffset(String topic, int queueId) {
                if (!added) {
                    added = true;
                    add(TOPIC, 1, "late", null, 3000);
                }
                return super.maxOffset(topic, queueId);
            }
        };
        MetricsEndpoint metrics = new MetricsEndpoint(new MetricSources(traffic, null, offsets, clients, Map::of,
            () -> 0, () -> 0, longPolling::parkedCount, 100, null, null));
        PullHandler racy = new PullHandler(config, groups, topics, offsets, racing, longPolling, traffic, metrics, clients);

        h.start(racy, suspendedPull(0));
        assertThat(h.nextReply()).isNull();
        assertThat(longPolling.doWork()).as("woken without notifyArrival").isEqualTo(1);
        RemotingCommand resp = h.nextReply();
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(resp)).extracting(HandlerHarness::bodyOf).containsExactly("late");
    }
}
