package io.quiver.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.client.GroupNotifier;
import io.quiver.broker.client.QueueLockTable;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.MessageQueue;
import io.quiver.protocol.body.SmallBodies;
import io.quiver.protocol.body.SubscriptionData;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.TestContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unit tier: heartbeats register consumers (with their subscriptions and retry topic) and producers, notify
 * the group when its membership changes, and are refused with their reasons (no clientID, SQL92 disabled or
 * malformed, the group or client limits, and every malformed body FrameFuzzIT found: null sets or entries,
 * missing or invalid group names, unknown enum names, subscriptions without topic or expression); a heartbeat
 * whose connection closed first registers nothing; GET_CONSUMER_LIST_BY_GROUP, UNREGISTER_CLIENT and the
 * orderly LOCK_BATCH_MQ / UNLOCK_BATCH_MQ locks answer as the registry and lock table say, and a lock request
 * without group, client or queues is refused before it reaches the lock table.
 */
@Timeout(20)
class ClientHandlersTest {
    static final String GROUP = "CG";
    static final String TOPIC = "TopicA";

    /** The replies and oneway notifications one request left on a channel. */
    record Written(RemotingCommand response, List<RemotingCommand> notifications) {}

    @TempDir
    Path dir;
    final BrokerConfig config = new BrokerConfig();
    final AtomicInteger registerSoon = new AtomicInteger();
    final RemotingServer server = new RemotingServer("t", "127.0.0.1", 0, RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES);
    final QueueLockTable locks = new QueueLockTable(60_000);
    SubscriptionGroupTable groups;
    TopicTable topics;
    ClientRegistry clients;
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @BeforeEach
    void setUp() {
        groups = new SubscriptionGroupTable(dir, 100);
        groups.load();
        topics = new TopicTable(dir, 1_000);
        topics.load(true, 8);
        clients = new ClientRegistry(10);
    }

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        server.close();
    }

    EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return ch;
    }

    ClientHandlers handlers() {
        return new ClientHandlers(config, groups, topics, registerSoon::incrementAndGet, clients, locks,
            new GroupNotifier(clients, server));
    }

    /** Runs one handler method for {@code req} on {@code ch}; returns its response and any notifications sent. */
    Written handle(EmbeddedChannel ch, RemotingCommand req, BiConsumer<ClientHandlers, RemotingCommand> method) {
        ClientHandlers h = handlers();
        ch.runPendingTasks();
        method.accept(h, req);
        return written(ch, req);
    }

    static Written written(EmbeddedChannel ch, RemotingCommand req) {
        ch.runPendingTasks();
        RemotingCommand response = null;
        List<RemotingCommand> notes = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            RemotingCommand c = (RemotingCommand) o;
            if (c.isResponse()) {
                assertThat(response).as("only one response").isNull();
                response = c;
            } else {
                notes.add(c);
            }
        }
        assertThat(response).as("a response was written").isNotNull();
        assertThat(response.opaque()).isEqualTo(req.opaque());
        return new Written(response, notes);
    }

    Written heartbeat(EmbeddedChannel ch, HeartbeatData hb) {
        RemotingCommand req = RemotingCommand.request(RequestCode.HEART_BEAT).body(Json.encode(hb))
            .language(LanguageCode.JAVA).version(409);
        ClientHandlers h = handlers();
        h.heartbeat(TestContexts.of(ch, req), req);
        return written(ch, req);
    }

    static HeartbeatData consumerHeartbeat(String clientId, String group, SubscriptionData... subs) {
        HeartbeatData hb = new HeartbeatData();
        hb.clientID = clientId;
        HeartbeatData.ConsumerData c = new HeartbeatData.ConsumerData();
        c.groupName = group;
        c.consumeType = "CONSUME_PASSIVELY";
        c.messageModel = "CLUSTERING";
        c.consumeFromWhere = "CONSUME_FROM_LAST_OFFSET";
        c.subscriptionDataSet.addAll(List.of(subs));
        hb.consumerDataSet.add(c);
        return hb;
    }

    static HeartbeatData withProducer(HeartbeatData hb, String group) {
        HeartbeatData.ProducerData p = new HeartbeatData.ProducerData();
        p.groupName = group;
        hb.producerDataSet.add(p);
        return hb;
    }

    static SubscriptionData sql(String topic, String expression) {
        SubscriptionData s = new SubscriptionData();
        s.topic = topic;
        s.subString = expression;
        s.expressionType = "SQL92";
        s.subVersion = 1;
        return s;
    }

    static SubscriptionData tags(String topic, String expression) {
        return SubscriptionData.ofTags(topic, expression, 1);
    }

    // ------------------------------------------------------------------ heartbeats

    @Test
    void aHeartbeatRegistersTheConsumerAndTheProducerAndNotifiesTheGroup() {
        EmbeddedChannel ch = channel();
        Written w = heartbeat(ch, withProducer(consumerHeartbeat("C1", GROUP, tags(TOPIC, "TagA || TagB")), "PG"));

        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        ConsumerGroupState g = clients.consumerGroup(GROUP);
        assertThat(g).isNotNull();
        assertThat(g.clientIds()).containsExactly("C1");
        assertThat(g.subscription(TOPIC).subString).isEqualTo("TagA || TagB");
        assertThat(g.messageModel()).isEqualTo("CLUSTERING");
        assertThat(g.channels()).singleElement().satisfies(c -> {
            assertThat(c.channel()).isSameAs(ch);
            assertThat(c.language()).isEqualTo(LanguageCode.JAVA);
            assertThat(c.version()).isEqualTo(409);
        });
        assertThat(clients.producers("PG")).extracting(ClientChannel::clientId).containsExactly("C1");
        assertThat(groups.get(GROUP)).as("the group is created").isNotNull();
        assertThat(topics.get(TopicNames.retryTopic(GROUP))).as("its retry topic is created").isNotNull();
        assertThat(registerSoon).hasValue(1);
        assertThat(w.notifications()).singleElement().satisfies(n -> {
            assertThat(n.code()).isEqualTo(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED);
            assertThat(n.isOneway()).isTrue();
            assertThat(n.ext("consumerGroup")).isEqualTo(GROUP);
        });
    }

    @Test
    void aRepeatedHeartbeatChangesNothingAndNotifiesNoOne() {
        EmbeddedChannel ch = channel();
        heartbeat(ch, consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        Written again = heartbeat(ch, consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        assertThat(again.response().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(again.notifications()).isEmpty();
        assertThat(registerSoon).hasValue(1);
        assertThat(clients.consumerGroup(GROUP).clientIds()).containsExactly("C1");
    }

    @Test
    void aSecondMemberNotifiesEveryMemberOfTheGroup() {
        EmbeddedChannel first = channel();
        EmbeddedChannel second = channel();
        heartbeat(first, consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        Written w = heartbeat(second, consumerHeartbeat("C2", GROUP, tags(TOPIC, "*")));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(w.notifications()).hasSize(1);
        first.runPendingTasks();
        assertThat((RemotingCommand) first.readOutbound()).isNotNull()
            .satisfies(n -> assertThat(n.code()).isEqualTo(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED));
        assertThat(clients.consumerGroup(GROUP).clientIds()).containsExactlyInAnyOrder("C1", "C2");
    }

    @Test
    void aHeartbeatWithoutClientIdIsASystemError() {
        HeartbeatData hb = withProducer(consumerHeartbeat(null, GROUP, tags(TOPIC, "*")), "PG");
        Written w = heartbeat(channel(), hb);
        assertThat(w.response().code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(w.response().remark()).isEqualTo("the heartbeat has no clientID");
        assertThat(clients.consumerGroup(GROUP)).isNull();
        assertThat(clients.producers("PG")).isEmpty();
    }

    @Test
    void anSql92SubscriptionIsRefusedWhenPropertyFilteringIsOff() {
        config.enablePropertyFilter = false;
        Written w = heartbeat(channel(), withProducer(consumerHeartbeat("C1", GROUP, sql(TOPIC, "a > 1")), "PG"));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(w.response().remark()).contains("enablePropertyFilter=false").contains(GROUP);
        assertThat(clients.consumerGroup(GROUP)).as("nothing registered").isNull();
        assertThat(clients.producers("PG")).isEmpty();
        assertThat(w.notifications()).isEmpty();
    }

    @Test
    void aMalformedSql92SubscriptionFailsToParse() {
        Written w = heartbeat(channel(), consumerHeartbeat("C1", GROUP, sql(TOPIC, "a > ")));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUBSCRIPTION_PARSE_FAILED).isEqualTo(23);
        assertThat(w.response().remark()).contains("group " + GROUP).contains("topic " + TOPIC);
        assertThat(clients.consumerGroup(GROUP)).isNull();
    }

    @Test
    void aValidSql92SubscriptionIsRegistered() {
        Written w = heartbeat(channel(), consumerHeartbeat("C1", GROUP, sql(TOPIC, "a > 1 AND b = 'x'")));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(clients.consumerGroup(GROUP).subscription(TOPIC).expressionType).isEqualTo("SQL92");
    }

    @Test
    void aNewGroupBeyondTheGroupLimitIsNotRegistered(@TempDir Path other) {
        groups = new SubscriptionGroupTable(other, 0);
        groups.load();
        Written w = heartbeat(channel(), withProducer(consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")), "PG"));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST).isEqualTo(26);
        assertThat(w.response().remark()).contains(GROUP).contains("maxSubscriptionGroupCount=0");
        assertThat(clients.consumerGroup(GROUP)).isNull();
        assertThat(groups.get(GROUP)).isNull();
        assertThat(topics.get(TopicNames.retryTopic(GROUP))).isNull();
        assertThat(clients.producers("PG")).as("the producer part is still registered").hasSize(1);
    }

    @Test
    void anUnknownGroupWithoutAutoCreationIsRegisteredWithoutARetryTopic() {
        config.autoCreateSubscriptionGroup = false;
        Written w = heartbeat(channel(), consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(clients.consumerGroup(GROUP).clientIds()).containsExactly("C1");
        assertThat(groups.get(GROUP)).isNull();
        assertThat(topics.get(TopicNames.retryTopic(GROUP))).isNull();
    }

    @Test
    void aConsumerBeyondMaxClientsPerGroupIsRefused() {
        clients = new ClientRegistry(1);
        assertThat(heartbeat(channel(), consumerHeartbeat("C1", GROUP, tags(TOPIC, "*"))).response().code())
            .isEqualTo(ResponseCode.SUCCESS);
        Written w = heartbeat(channel(), consumerHeartbeat("C2", GROUP, tags(TOPIC, "*")));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
        assertThat(w.response().remark()).contains("consumer group " + GROUP).contains("maxClientsPerGroup")
            .contains("1 clients");
        assertThat(clients.consumerGroup(GROUP).clientIds()).containsExactly("C1");
    }

    @Test
    void aProducerBeyondMaxClientsPerGroupIsRefused() {
        clients = new ClientRegistry(1);
        HeartbeatData first = new HeartbeatData();
        first.clientID = "P1";
        HeartbeatData second = new HeartbeatData();
        second.clientID = "P2";
        assertThat(heartbeat(channel(), withProducer(first, "PG")).response().code()).isEqualTo(ResponseCode.SUCCESS);
        Written w = heartbeat(channel(), withProducer(second, "PG"));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
        assertThat(w.response().remark()).contains("producer group PG").contains("maxClientsPerGroup");
        assertThat(clients.producers("PG")).extracting(ClientChannel::clientId).containsExactly("P1");
    }

    // ------------------------------------------------------------------ malformed heartbeats (FrameFuzzIT)

    /** A heartbeat body as raw JSON, so it can hold what HeartbeatData never encodes (nulls, bad names). */
    Written heartbeatJson(EmbeddedChannel ch, String json) {
        RemotingCommand req = RemotingCommand.request(RequestCode.HEART_BEAT)
            .body(json.getBytes(StandardCharsets.UTF_8)).language(LanguageCode.JAVA).version(409);
        handlers().heartbeat(TestContexts.of(ch, req), req);
        return written(ch, req);
    }

    static String consumerJson(String groupJson, String subsJson) {
        return "{\"clientID\":\"C1\",\"producerDataSet\":[{\"groupName\":\"PG\"}],\"consumerDataSet\":[{\"groupName\":"
            + groupJson + ",\"consumeType\":\"CONSUME_PASSIVELY\",\"messageModel\":\"CLUSTERING\","
            + "\"consumeFromWhere\":\"CONSUME_FROM_LAST_OFFSET\",\"subscriptionDataSet\":" + subsJson + "}]}";
    }

    static String sub(String fields) {
        return "[{\"topic\":\"" + TOPIC + "\",\"subString\":\"*\",\"tagsSet\":[],\"codeSet\":[]," + fields + "}]";
    }

    /** Each body reached a NullPointerException or similar inside the handler before it was validated. */
    static Stream<org.junit.jupiter.params.provider.Arguments> malformedHeartbeats() {
        String ok = "\"" + GROUP + "\"";
        return Stream.of(
            args("{\"clientID\":\"C1\",\"consumerDataSet\":null,\"producerDataSet\":[]}", ResponseCode.SYSTEM_ERROR,
                "the heartbeat's consumerDataSet is null"),
            args("{\"clientID\":\"C1\",\"consumerDataSet\":[],\"producerDataSet\":null}", ResponseCode.SYSTEM_ERROR,
                "the heartbeat's producerDataSet is null"),
            args("{\"clientID\":\"C1\",\"consumerDataSet\":[null],\"producerDataSet\":[]}", ResponseCode.SYSTEM_ERROR,
                "consumerDataSet[0] of the heartbeat is null"),
            args("{\"clientID\":\"C1\",\"consumerDataSet\":[],\"producerDataSet\":[null]}",
                ResponseCode.SYSTEM_ERROR, "producerDataSet[0] of the heartbeat is null"),
            args("{\"clientID\":\"C1\",\"consumerDataSet\":[],\"producerDataSet\":[{\"groupName\":null}]}",
                ResponseCode.SYSTEM_ERROR, "producerDataSet[0] of the heartbeat has no groupName"),
            args(consumerJson("null", "[]"), ResponseCode.SYSTEM_ERROR, "consumerDataSet[0] of the heartbeat has no groupName"),
            args(consumerJson("\"../../x\"", "[]"), ResponseCode.SYSTEM_ERROR,
                "has an invalid groupName: the group name '../../x' contains '.'"),
            args(consumerJson("\"G\\u0000x\"", "[]"), ResponseCode.SYSTEM_ERROR, "contains the character U+0000"),
            args(consumerJson(ok, "[]").replace("CONSUME_PASSIVELY", "CONSUME_SOMEHOW"), ResponseCode.SYSTEM_ERROR,
                "has consumeType 'CONSUME_SOMEHOW', which is not one of [CONSUME_ACTIVELY, CONSUME_PASSIVELY, CONSUME_POP]"),
            args(consumerJson(ok, "[]").replace("\"CLUSTERING\"", "7"), ResponseCode.SYSTEM_ERROR, "has messageModel '7'"),
            args(consumerJson(ok, "[]").replace("CONSUME_FROM_LAST_OFFSET", ""), ResponseCode.SYSTEM_ERROR,
                "has consumeFromWhere ''"),
            args(consumerJson(ok, "null"), ResponseCode.SYSTEM_ERROR, "(group CG) of the heartbeat has a null subscriptionDataSet"),
            args(consumerJson(ok, "[null]"), ResponseCode.SYSTEM_ERROR, "has subscriptionDataSet[0] that is null"),
            args(consumerJson(ok, "[{\"topic\":null,\"subString\":\"*\"}]"), ResponseCode.SYSTEM_ERROR,
                "has subscriptionDataSet[0] that has no topic"),
            args(consumerJson(ok, sub("\"expressionType\":\"TAG\"").replace("\"codeSet\":[]", "\"codeSet\":[null]")),
                ResponseCode.SYSTEM_ERROR, "(topic TopicA) has a null entry in its codeSet"),
            args(consumerJson(ok, sub("\"expressionType\":\"TAG\"").replace("\"tagsSet\":[]", "\"tagsSet\":null")),
                ResponseCode.SYSTEM_ERROR, "(topic TopicA) has a null tagsSet"),
            args(consumerJson(ok, sub("\"expressionType\":\"XPATH\"")), ResponseCode.SUBSCRIPTION_PARSE_FAILED,
                "group CG, topic TopicA: expression type 'XPATH' is neither TAG nor SQL92"),
            args(consumerJson(ok, sub("\"expressionType\":\"SQL92\"").replace("\"subString\":\"*\"", "\"subString\":null")),
                ResponseCode.SUBSCRIPTION_PARSE_FAILED, "group CG, topic TopicA: the SQL92 subscription has no expression"),
            args(consumerJson(ok, sub("\"expressionType\":\"SQL92\"").replace("\"subString\":\"*\"",
                "\"subString\":\"" + "(".repeat(2000) + "a = 1" + ")".repeat(2000) + "\"")),
                ResponseCode.SUBSCRIPTION_PARSE_FAILED, "nested more than 100 deep"));
    }

    static org.junit.jupiter.params.provider.Arguments args(String json, int code, String remark) {
        return org.junit.jupiter.params.provider.Arguments.of(json, code, remark);
    }

    @ParameterizedTest
    @MethodSource("malformedHeartbeats")
    void aMalformedHeartbeatIsRefusedWithItsReasonAndRegistersNothing(String json, int code, String remark) {
        Written w = heartbeatJson(channel(), json);
        assertThat(w.response().code()).isEqualTo(code);
        assertThat(w.response().remark()).contains(remark);
        assertThat(w.notifications()).isEmpty();
        assertThat(clients.consumerGroups()).as("no consumer registered").isEmpty();
        assertThat(clients.producers("PG")).as("no producer registered").isEmpty();
        assertThat(groups.snapshot().subscriptionGroupTable).as("no group created").isEmpty();
        assertThat(registerSoon).as("no retry topic created").hasValue(0);
    }

    @Test
    void aGroupNamedLikeAPathGetsNoGroupAndNoRetryTopicWhateverAsksForIt() {
        assertThat(groups.findOrCreate("../../etc", true)).isNull();
        assertThat(groups.missingRemark("../../etc", true)).startsWith("no consumer group can be named so: ")
            .contains("contains '.'");
        assertThat(topics.createIfAbsent(TopicNames.retryTopic("a/b"), 1, 6)).isNull();
        assertThat(topics.limitRemark(TopicNames.retryTopic("a/b"))).contains("is named after a group")
            .contains("contains '/'");
        assertThat(topics.get(TopicNames.retryTopic("a/b"))).isNull();
    }

    @Test
    void aHeartbeatWhoseConnectionClosedFirstRegistersNoGhost() {
        // Closed, and its clean-up done, while the heartbeat waited for a pool thread. Not finished in tearDown:
        // the handler's reply fails as any write to a closed connection does, which is all it can do.
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.close();
        RemotingCommand req = RemotingCommand.request(RequestCode.HEART_BEAT)
            .body(Json.encode(withProducer(consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")), "PG")));
        handlers().heartbeat(TestContexts.of(ch, req), req);
        assertThat(clients.consumerGroup(GROUP)).as("no consumer a rebalance could give queues to").isNull();
        assertThat(clients.producers("PG")).isEmpty();
        assertThat(clients.connectionCount()).isZero();
    }

    @Test
    void checkClientConfigRefusesAnSqlSubscriptionWithoutExpression() {
        String body = "{\"clientId\":\"C1\",\"group\":\"CG\",\"subscriptionData\":{\"topic\":\"TopicA\","
            + "\"expressionType\":\"SQL92\",\"subString\":null,\"tagsSet\":[],\"codeSet\":[]}}";
        RemotingCommand req = RemotingCommand.request(RequestCode.CHECK_CLIENT_CONFIG).body(body.getBytes(StandardCharsets.UTF_8));
        EmbeddedChannel ch = channel();
        Written w = handle(ch, req, (h, r) -> h.checkClientConfig(TestContexts.of(ch, r), r));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
        assertThat(w.response().remark()).isEqualTo("group CG, topic TopicA: the SQL92 subscription has no expression");
    }

    // ------------------------------------------------------------------ membership

    @Test
    void theConsumerListNamesEveryMember() throws Exception {
        heartbeat(channel(), consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        heartbeat(channel(), consumerHeartbeat("C2", GROUP, tags(TOPIC, "*")));
        RemotingCommand req = RemotingCommand.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP).putExt("consumerGroup", GROUP);
        EmbeddedChannel ch = channel();
        Written w = handle(ch, req, (h, r) -> h.consumerList(TestContexts.of(ch, r), r));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        SmallBodies.ConsumerIdList ids = Json.decode(w.response().body(), SmallBodies.ConsumerIdList.class);
        assertThat(ids.consumerIdList).containsExactlyInAnyOrder("C1", "C2");
    }

    @Test
    void theConsumerListOfAnUnknownGroupIsASystemError() {
        RemotingCommand req = RemotingCommand.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP).putExt("consumerGroup", "none");
        EmbeddedChannel ch = channel();
        Written w = handle(ch, req, (h, r) -> h.consumerList(TestContexts.of(ch, r), r));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(w.response().remark()).isEqualTo("no consumer for this group, none");
    }

    @Test
    void unregisteringAConsumerRemovesItReleasesItsLocksAndNotifiesTheRest() {
        EmbeddedChannel stays = channel();
        EmbeddedChannel leaves = channel();
        heartbeat(stays, consumerHeartbeat("C1", GROUP, tags(TOPIC, "*")));
        heartbeat(leaves, consumerHeartbeat("C2", GROUP, tags(TOPIC, "*")));
        stays.runPendingTasks();
        while (stays.readOutbound() != null) {
            // drop the notification of C2 joining
        }
        MessageQueue q = new MessageQueue(TOPIC, "broker-a", 0);
        locks.lock(GROUP, "C2", Set.of(q), System.currentTimeMillis());

        RemotingCommand req = RemotingCommand.request(RequestCode.UNREGISTER_CLIENT).putExt("clientID", "C2")
            .putExt("consumerGroup", GROUP);
        Written w = handle(leaves, req, (h, r) -> h.unregister(TestContexts.of(leaves, r), r));

        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(clients.consumerGroup(GROUP).clientIds()).containsExactly("C1");
        assertThat(locks.lock(GROUP, "C1", Set.of(q), System.currentTimeMillis())).as("C2's lock was released")
            .containsExactly(q);
        stays.runPendingTasks();
        assertThat((RemotingCommand) stays.readOutbound()).isNotNull()
            .satisfies(n -> assertThat(n.code()).isEqualTo(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED));
    }

    // ------------------------------------------------------------------ orderly locks

    RemotingCommand lockRequest(int code, String clientId, int... queueIds) {
        SmallBodies.LockBatchRequest body = new SmallBodies.LockBatchRequest();
        body.consumerGroup = GROUP;
        body.clientId = clientId;
        for (int q : queueIds) {
            body.mqSet.add(new MessageQueue(TOPIC, "broker-a", q));
        }
        return RemotingCommand.request(code).body(Json.encode(body));
    }

    Set<Integer> lock(String clientId, int... queueIds) {
        RemotingCommand req = lockRequest(RequestCode.LOCK_BATCH_MQ, clientId, queueIds);
        EmbeddedChannel ch = channel();
        Written w = handle(ch, req, (h, r) -> h.lockBatch(TestContexts.of(ch, r), r));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
        SmallBodies.LockBatchResponse resp = Json.decode(w.response().body(), SmallBodies.LockBatchResponse.class);
        Set<Integer> granted = new LinkedHashSet<>();
        for (MessageQueue q : resp.lockOKMQSet) {
            assertThat(q.topic).isEqualTo(TOPIC);
            assertThat(q.brokerName).isEqualTo("broker-a");
            granted.add(q.queueId);
        }
        return granted;
    }

    void unlock(String clientId, int... queueIds) {
        RemotingCommand req = lockRequest(RequestCode.UNLOCK_BATCH_MQ, clientId, queueIds);
        EmbeddedChannel ch = channel();
        Written w = handle(ch, req, (h, r) -> h.unlockBatch(TestContexts.of(ch, r), r));
        assertThat(w.response().code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void locksAreGrantedToOneClientAtATimeAndReleasedByUnlock() {
        assertThat(lock("C1", 0, 1)).containsExactlyInAnyOrder(0, 1);
        assertThat(lock("C1", 0, 1)).as("renewal by the holder").containsExactlyInAnyOrder(0, 1);
        assertThat(lock("C2", 1, 2)).as("queue 1 is held by C1").containsExactly(2);

        unlock("C2", 0); // not C2's lock: nothing happens
        assertThat(lock("C2", 0)).isEmpty();

        unlock("C1", 1);
        assertThat(lock("C2", 1)).containsExactly(1);
        assertThat(lock("C1", 0, 1, 2)).containsExactly(0);
    }

    RemotingCommand rawLock(int code, String json) {
        return RemotingCommand.request(code).body(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Found by FrameFuzzIT: a lock request without clientId stored a lock owned by null, after which every lock,
     * unlock and unregistration touching that queue failed with a NullPointerException.
     */
    @Test
    void aLockRequestWithoutGroupClientOrQueuesIsRefusedAndPoisonsNothing() {
        String[][] cases = {
            {"{\"consumerGroup\":\"CG\",\"clientId\":null,"
                + "\"mqSet\":[{\"topic\":\"TopicA\",\"brokerName\":\"broker-a\",\"queueId\":0}]}",
                "the lock request of group CG has no clientId"},
            {"{\"consumerGroup\":null,\"clientId\":\"C9\",\"mqSet\":[]}", "the lock request has no consumerGroup"},
            {"{\"consumerGroup\":\"CG\",\"clientId\":\"C9\",\"mqSet\":null}", "has a null mqSet"},
            {"{\"consumerGroup\":\"CG\",\"clientId\":\"C9\",\"mqSet\":[null]}", "mqSet[0] of the lock request of group CG is null"},
            {"{\"consumerGroup\":\"CG\",\"clientId\":\"C9\",\"mqSet\":[{\"queueId\":0}]}", "has no topic"},
        };
        for (int code : new int[] {RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ}) {
            for (String[] c : cases) {
                EmbeddedChannel ch = channel();
                RemotingCommand req = rawLock(code, c[0]);
                Written w = handle(ch, req, code == RequestCode.LOCK_BATCH_MQ
                    ? (h, r) -> h.lockBatch(TestContexts.of(ch, r), r) : (h, r) -> h.unlockBatch(TestContexts.of(ch, r), r));
                assertThat(w.response().code()).as(c[0]).isEqualTo(ResponseCode.SYSTEM_ERROR);
                assertThat(w.response().remark()).contains(c[1]);
            }
        }
        assertThat(locks.size()).isZero();
        assertThat(lock("C1", 0)).as("the queue is still lockable").containsExactly(0);
        locks.releaseAll("C1");
    }
}
