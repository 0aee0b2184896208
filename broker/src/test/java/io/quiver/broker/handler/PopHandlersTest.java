package io.quiver.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.pop.PopService;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import io.quiver.store.MessageStore;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: bad POP, ACK and CHANGE requests get the official codes with a remark a person can act on, and every
 * answer carries the numeric header fields the official clients decode even from failures.
 */
@Timeout(10)
class PopHandlersTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final BrokerConfig config = new BrokerConfig();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    MessageStore store;
    PopHandlers handlers;

    @BeforeEach
    void setUp() {
        store = TestStores.started(dir.resolve("store"), System::currentTimeMillis);
        TopicTable topics = new TopicTable(dir, 100);
        topics.put(new TopicConfig("T", 4, PermName.READ_WRITE));
        topics.put(new TopicConfig("WriteOnly", 4, PermName.WRITE));
        SubscriptionGroupTable groups = new SubscriptionGroupTable(dir, 100);
        groups.put(new SubscriptionGroupConfig("G"));
        config.autoCreateSubscriptionGroup = false;
        PopService pops = new PopService(store, System::currentTimeMillis, new byte[] {127, 0, 0, 1}, 10911,
            new PopService.Offsets() {
                @Override
                public long get(String group, String topic, int queueId) {
                    return -1;
                }

                @Override
                public void commit(String group, String topic, int queueId, long offset) {
                }
            }, g -> 16, t -> { }, dir.resolve("pop-progress.json"));
        handlers = new PopHandlers(config, topics, groups, pops, new LongPollingService(System::currentTimeMillis,
            Runnable::run));
    }

    @AfterEach
    void tearDown() {
        h.close();
        scheduler.shutdownNow();
        store.close();
    }

    static RemotingCommand pop(String group, String topic, int queueId, int max, long invisible) {
        return HandlerHarness.request(RequestCode.POP_MESSAGE, "consumerGroup", group, "topic", topic, "queueId", queueId,
            "maxMsgNums", max, "invisibleTime", invisible, "pollTime", 0, "bornTime", 1, "initMode", 0);
    }

    void expect(RemotingCommand resp, int code, String remark) {
        assertThat(resp.code()).as(resp.remark()).isEqualTo(code);
        assertThat(resp.remark()).contains(remark);
        assertThat(resp.extFields()).containsKeys("popTime", "invisibleTime", "reviveQid");
    }

    @Test
    void badPopsAreRefusedWithTheOfficialCodes() {
        expect(h.call(handlers::pop, pop("G", "T", -1, 257, 60_000)), ResponseCode.SYSTEM_ERROR, "maxMsgNums must be 1 to 256");
        expect(h.call(handlers::pop, pop("G", "T", -1, 8, 10)), ResponseCode.SYSTEM_ERROR, "invisibleTime");
        expect(h.call(handlers::pop, pop("G", "Nope", -1, 8, 60_000)), ResponseCode.TOPIC_NOT_EXIST, "Nope");
        expect(h.call(handlers::pop, pop("G", "WriteOnly", -1, 8, 60_000)), ResponseCode.NO_PERMISSION, "not readable");
        expect(h.call(handlers::pop, pop("G", "T", 4, 8, 60_000)), ResponseCode.SYSTEM_ERROR, "queueId 4");
        expect(h.call(handlers::pop, pop("Unknown", "T", -1, 8, 60_000)), ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
            "Unknown");
        RemotingCommand sql = HandlerHarness.request(RequestCode.POP_MESSAGE, "consumerGroup", "G", "topic", "T",
            "queueId", -1, "maxMsgNums", 8, "invisibleTime", 60_000, "expType", "SQL92", "exp", "a >");
        expect(h.call(handlers::pop, sql), ResponseCode.SUBSCRIPTION_PARSE_FAILED, "");
        expect(h.call(handlers::pop, pop("G".repeat(120), "T", -1, 8, 60_000)), ResponseCode.SYSTEM_ERROR,
            "too long for POP");
    }

    @Test
    void anAckOrChangeWithoutAReceiptOrTopicIsRefusedAndNothingIsStored() {
        RemotingCommand ack = HandlerHarness.request(RequestCode.ACK_MESSAGE, "consumerGroup", "G", "topic", "T",
            "queueId", 0, "extraInfo", "not a receipt", "offset", 3);
        expect(h.call(handlers::ack, ack), ResponseCode.MESSAGE_ILLEGAL, "is not a POP receipt");
        RemotingCommand unknownTopic = HandlerHarness.request(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, "consumerGroup",
            "G", "topic", "Nope", "queueId", 0, "extraInfo", "0 1 60000 0 0 broker-a 0 3", "offset", 3,
            "invisibleTime", 1_000);
        expect(h.call(handlers::changeInvisibleTime, unknownTopic), ResponseCode.TOPIC_NOT_EXIST, "Nope");
        RemotingCommand words = HandlerHarness.request(RequestCode.ACK_MESSAGE, "consumerGroup", "G", "topic", "T",
            "queueId", 0, "extraInfo", "a b c d e f g h", "offset", 3);
        expect(h.call(handlers::ack, words), ResponseCode.MESSAGE_ILLEGAL, "numeric");
        assertThat(store.maxOffset(io.quiver.broker.pop.PopLogRecord.TOPIC, 0)).as("no pop-log entry").isZero();
    }
}
