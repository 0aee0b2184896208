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
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.MessageStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier with a running POP service: PEEK_MESSAGE shows what a pop would take and takes nothing; NOTIFICATION says
 * whether a pop would find something; BATCH_ACK_MESSAGE acknowledges a checkpoint's offsets by bit set; POLLING_INFO
 * counts the pops waiting on a queue; bad bodies get NO_MESSAGE.
 */
@Timeout(30)
class PopRequestsTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final BrokerConfig config = new BrokerConfig();
    MessageStore store;
    PopService pops;
    PopHandlers handlers;
    LongPollingService waits;

    @BeforeEach
    void setUp() {
        store = TestStores.started(dir.resolve("store"), System::currentTimeMillis);
        TopicTable topics = new TopicTable(dir, 100);
        topics.put(new TopicConfig("T", 2, PermName.READ_WRITE));
        SubscriptionGroupTable groups = new SubscriptionGroupTable(dir, 100);
        groups.put(new SubscriptionGroupConfig("G"));
        config.autoCreateSubscriptionGroup = false;
        pops = new PopService(store, System::currentTimeMillis, new byte[] {127, 0, 0, 1}, 10911,
            new PopService.Offsets() {
                @Override
                public long get(String group, String topic, int queueId) {
                    return -1;
                }

                @Override
                public void commit(String group, String topic, int queueId, long offset) {
                }
            }, g -> 16, t -> { }, dir.resolve("pop-progress.json"));
        pops.start();
        waits = new LongPollingService(System::currentTimeMillis, Runnable::run);
        waits.start();
        handlers = new PopHandlers(config, topics, groups, pops, waits);
    }

    @AfterEach
    void tearDown() {
        h.close();
        waits.close();
        pops.close();
        store.close();
    }

    void send(int queueId, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic("T").queueId(queueId).bornTimestamp(1).storeHost(new byte[] {127, 0, 0, 1})
            .storePort(10911);
        d.body(b, 0, b.length);
        d.properties(MessageProperties.encode(Map.of(MessageProperties.UNIQ_KEY, "U-" + body)));
        assertThat(store.put(List.of(d), true).join().isStored()).isTrue();
    }

    /** Hands {@code req} over and waits for its answer (the POP service answers on its own thread). */
    RemotingCommand call(RequestHandler handler, RemotingCommand req) throws InterruptedException {
        h.start(handler, req);
        for (int i = 0; i < 2_000; i++) {
            RemotingCommand resp = h.nextReply();
            if (resp != null) {
                assertThat(resp.opaque()).isEqualTo(req.opaque());
                return resp;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no answer to " + req);
    }

    static List<String> bodies(RemotingCommand resp) {
        List<String> out = new ArrayList<>();
        byte[] body = HandlerHarness.body(resp);
        ByteBuffer buf = ByteBuffer.wrap(body);
        for (int at = 0; at < body.length; at += buf.getInt(at)) {
            out.add(new String(MessageRecord.decode(buf, at).body, StandardCharsets.UTF_8));
        }
        return out;
    }

    RemotingCommand notification(int queueId) throws InterruptedException {
        return call(handlers::notification, HandlerHarness.request(RequestCode.NOTIFICATION, "consumerGroup", "G", "topic",
            "T", "queueId", queueId, "pollTime", 0, "bornTime", 1));
    }

    @Test
    void peekShowsWithoutTakingNotificationSeesTheBacklogAndBatchAckAcknowledgesByBits() throws Exception {
        for (int i = 0; i < 4; i++) {
            send(0, "m" + i);
        }
        assertThat(notification(-1).extFields()).containsEntry("hasMsg", "true");
        RemotingCommand peek = call(handlers::peek, HandlerHarness.request(RequestCode.PEEK_MESSAGE, "consumerGroup", "G",
            "topic", "T", "queueId", 0, "maxMsgNums", 8));
        assertThat(peek.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(bodies(peek)).containsExactly("m0", "m1", "m2", "m3");

        RemotingCommand pop = call(handlers::pop, PopHandlersTest.pop("G", "T", 0, 8, 60_000));
        assertThat(pop.code()).as(pop.remark()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(bodies(pop)).as("the peek took nothing").containsExactly("m0", "m1", "m2", "m3");
        assertThat(notification(-1).extFields()).as("everything is invisible").containsEntry("hasMsg", "false");
        RemotingCommand emptyPeek = call(handlers::peek, HandlerHarness.request(RequestCode.PEEK_MESSAGE, "consumerGroup",
            "G", "topic", "T", "queueId", -1, "maxMsgNums", 8));
        assertThat(emptyPeek.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);

        long popTime = Long.parseLong(pop.extFields().get("popTime"));
        BitSet bits = new BitSet();
        bits.set(0);
        bits.set(1);
        bits.set(3);
        String body = "{\"acks\":[{\"b\":\"" + Base64.getEncoder().encodeToString(bits.toByteArray()) + "\",\"c\":\"G\","
            + "\"it\":60000,\"pt\":" + popTime + ",\"q\":0,\"r\":\"0\",\"rq\":0,\"so\":0,\"t\":\"T\"}],\"brokerName\":\"b\"}";
        RemotingCommand batch = call(handlers::batchAck, HandlerHarness.request(RequestCode.BATCH_ACK_MESSAGE)
            .body(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(batch.code()).as(batch.remark()).isEqualTo(ResponseCode.SUCCESS);
        String receipt = "0 " + popTime + " 60000 0 0 b 0 ";
        RemotingCommand again = call(handlers::ack, HandlerHarness.request(RequestCode.ACK_MESSAGE, "consumerGroup", "G",
            "topic", "T", "queueId", 0, "extraInfo", receipt + "1", "offset", 1));
        assertThat(again.remark()).as("acknowledged by the batch").contains("nothing invisible");
        RemotingCommand left = call(handlers::ack, HandlerHarness.request(RequestCode.ACK_MESSAGE, "consumerGroup", "G",
            "topic", "T", "queueId", 0, "extraInfo", receipt + "2", "offset", 2));
        assertThat(left.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(left.remark()).as("m2 was still open").isNull();
    }

    @Test
    void badBatchesGetNoMessageAndPollingInfoCountsWaitingPops() throws Exception {
        RemotingCommand none = call(handlers::batchAck, HandlerHarness.request(RequestCode.BATCH_ACK_MESSAGE));
        assertThat(none.code()).isEqualTo(ResponseCode.NO_MESSAGE);
        RemotingCommand junk = call(handlers::batchAck, HandlerHarness.request(RequestCode.BATCH_ACK_MESSAGE)
            .body("{not json".getBytes(StandardCharsets.UTF_8)));
        assertThat(junk.code()).isEqualTo(ResponseCode.NO_MESSAGE);
        RemotingCommand empty = call(handlers::batchAck, HandlerHarness.request(RequestCode.BATCH_ACK_MESSAGE)
            .body("{\"acks\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(empty.code()).isEqualTo(ResponseCode.NO_MESSAGE);

        RemotingCommand info = call(handlers::pollingInfo, HandlerHarness.request(RequestCode.POLLING_INFO, "consumerGroup",
            "G", "topic", "T", "queueId", 1));
        assertThat(info.extFields()).containsEntry("pollingNum", "0");
        h.start(handlers::pop, HandlerHarness.request(RequestCode.POP_MESSAGE, "consumerGroup", "G", "topic", "T",
            "queueId", 1, "maxMsgNums", 8, "invisibleTime", 60_000, "pollTime", 20_000, "bornTime", 1, "initMode", 0));
        for (int i = 0; i < 400; i++) {
            h.channel.runPendingTasks();
            RemotingCommand now = call(handlers::pollingInfo, HandlerHarness.request(RequestCode.POLLING_INFO,
                "consumerGroup", "G", "topic", "T", "queueId", 1));
            if ("1".equals(now.extFields().get("pollingNum"))) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the waiting pop was never counted");
    }

    @Test
    void aWaitingPopWhoseClientHasGoneTakesNothingWhenAMessageArrives() throws Exception {
        h.start(handlers::pop, HandlerHarness.request(RequestCode.POP_MESSAGE, "consumerGroup", "G", "topic", "T",
            "queueId", 1, "maxMsgNums", 8, "invisibleTime", 60_000, "pollTime", 20_000, "bornTime", 1, "initMode", 0));
        try (HandlerHarness other = new HandlerHarness()) {
            for (int i = 0; i < 400 && !"1".equals(other.call(handlers::pollingInfo, HandlerHarness.request(
                RequestCode.POLLING_INFO, "consumerGroup", "G", "topic", "T", "queueId", 1)).extFields().get("pollingNum"));
                 i++) {
                h.channel.runPendingTasks(); // the pop's answer to itself: nothing yet, so it waits
                Thread.sleep(5);
            }
            h.channel.close(); // the waiting client disconnects
            send(1, "after");
            waits.notifyArrival("T", 1); // as the store's dispatch does
            String polling = null;
            for (int i = 0; i < 400 && !"0".equals(polling); i++) {
                Thread.sleep(5);
                polling = other.call(handlers::pollingInfo, HandlerHarness.request(RequestCode.POLLING_INFO,
                    "consumerGroup", "G", "topic", "T", "queueId", 1)).extFields().get("pollingNum");
            }
            assertThat(polling).as("the wait is over").isEqualTo("0");
            // the message was not popped (and hidden for a minute) for the client that left
            other.start(handlers::pop, HandlerHarness.request(RequestCode.POP_MESSAGE, "consumerGroup", "G", "topic", "T",
                "queueId", 1, "maxMsgNums", 8, "invisibleTime", 60_000, "pollTime", 0, "bornTime", 1, "initMode", 0));
            RemotingCommand resp = null;
            for (int i = 0; i < 2_000 && resp == null; i++) {
                resp = other.nextReply();
                Thread.sleep(resp == null ? 5 : 0);
            }
            assertThat(resp).isNotNull();
            assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(bodies(resp)).containsExactly("after");
        }
    }

    @Test
    void requestsForUnknownTopicsOrGroupsAreRefused() throws Exception {
        RemotingCommand peek = call(handlers::peek, HandlerHarness.request(RequestCode.PEEK_MESSAGE, "consumerGroup", "G",
            "topic", "Nope", "queueId", 0, "maxMsgNums", 8));
        assertThat(peek.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        RemotingCommand n = call(handlers::notification, HandlerHarness.request(RequestCode.NOTIFICATION, "consumerGroup",
            "Unknown", "topic", "T", "queueId", 0, "pollTime", 0, "bornTime", 1));
        assertThat(n.code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
        RemotingCommand info = call(handlers::pollingInfo, HandlerHarness.request(RequestCode.POLLING_INFO, "consumerGroup",
            "G", "topic", "T", "queueId", 9));
        assertThat(info.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(info.remark()).contains("queueId 9");
    }
}
