package io.quiver.broker.send;

import static io.quiver.broker.send.SendFixture.NOW;
import static io.quiver.broker.send.SendFixture.STORE_HOST;
import static io.quiver.broker.send.SendFixture.STORE_PORT;
import static io.quiver.broker.send.SendFixture.TOPIC;
import static io.quiver.broker.send.SendFixture.bodyOf;
import static io.quiver.broker.send.SendFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.send.SendFixture.FakeDiversions;
import io.quiver.broker.send.SendFixture.Member;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.PermName;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: SendRouter picks topic and queue (own, auto-created, or DLQ), builds one draft per message
 * and diverts it to the half, schedule or timer queue, refusing with the code and limit RocketMQ uses.
 */
@Timeout(10)
class SendRouterTest {
    @TempDir
    Path dir;
    SendFixture f;

    @BeforeEach
    void setUp() {
        f = new SendFixture(dir);
    }

    static Route.Store stored(Route r) {
        assertThat(r).isInstanceOf(Route.Store.class);
        return (Route.Store) r;
    }

    static Refusal refused(Route r) {
        assertThat(r).isInstanceOf(Route.Refused.class);
        return ((Route.Refused) r).refusal();
    }

    static MessageDraft only(Route r) {
        Route.Store s = stored(r);
        assertThat(s.drafts()).hasSize(1);
        return s.drafts().get(0);
    }

    static Map<String, String> props(MessageDraft d) {
        return MessageProperties.parse(d.properties());
    }

    @Nested
    class PlainSends {
        @Test
        void anExistingTopicGetsOneDraftWithTheClusterAddedAndTheTagHash() {
            SendFixture.Req req = send(TOPIC).queueId(2).flag(5).reconsumeTimes(0)
                .prop("TAGS", "TagA").prop("KEYS", "k1 k2").prop("UNIQ_KEY", "U1");
            Route.Store s = stored(f.router.route(req.decode()));

            assertThat(s.queueId()).isEqualTo(2);
            assertThat(s.waitDurable()).isTrue();
            assertThat(s.transactionId()).isNull();
            MessageDraft d = only(s);
            assertThat(d.topic()).isEqualTo(TOPIC);
            assertThat(d.queueId()).isEqualTo(2);
            assertThat(d.flag()).isEqualTo(5);
            assertThat(d.sysFlag()).isZero();
            assertThat(d.bornTimestamp()).isEqualTo(req.bornTimestamp);
            assertThat(bodyOf(d)).isEqualTo("hello");
            assertThat(props(d)).containsEntry("TAGS", "TagA").containsEntry("KEYS", "k1 k2")
                .containsEntry("UNIQ_KEY", "U1").containsEntry(MessageProperties.CLUSTER, "DefaultCluster").hasSize(4);
            assertThat(d.tagsCode()).isEqualTo("TagA".hashCode());
            assertThat(d.keys()).isEqualTo("k1 k2");
            assertThat(d.uniqKey()).isEqualTo("U1");
            assertThat(d.bornHost()).containsExactly(127, 0, 0, 1);
            assertThat(d.bornPort()).isEqualTo(40000);
            assertThat(d.storeHost()).isEqualTo(STORE_HOST);
            assertThat(d.storePort()).isEqualTo(STORE_PORT);
            assertThat(f.diversions.calls).isEmpty();
            assertThat(f.topicsChanged).hasValue(0);
        }

        @Test
        void withoutTagsTheTagHashIsZeroAndAClusterSentByTheClientIsKept() {
            MessageDraft d = only(f.router.route(send(TOPIC).prop("CLUSTER", "Other").decode()));
            assertThat(d.tagsCode()).isZero();
            assertThat(props(d)).containsEntry("CLUSTER", "Other");
        }

        @Test
        void waitFalseAsksNotToWaitForTheDisk() {
            assertThat(stored(f.router.route(send(TOPIC).prop("WAIT", "false").decode())).waitDurable()).isFalse();
        }

        @Test
        void aNegativeQueueIdPicksAWritableQueue() {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                seen.add(only(f.router.route(send(TOPIC).queueId(-1).decode())).queueId());
            }
            assertThat(seen).isNotEmpty().allMatch(q -> q >= 0 && q < 4);
        }

        @Test
        void aQueueIdBeyondTheTopicsQueuesIsRefused() {
            Refusal r = refused(f.router.route(send(TOPIC).queueId(4).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(r.remark()).contains("queueId 4 is illegal").contains("4 queues");
        }

        @Test
        void aReadOnlyTopicRefusesWrites() {
            f.topics.put(new TopicConfig("RO", 2, PermName.READ));
            Refusal r = refused(f.router.route(send("RO").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(r.remark()).contains("not writable").contains("R--");
        }

        @Test
        void aTopicsDeclaredMessageTypeMustMatchTheSend() {
            TopicConfig tx = new TopicConfig("TxTopic", 2, PermName.READ_WRITE);
            tx.attributes = Map.of(SendRouter.MESSAGE_TYPE_ATTRIBUTE, "TRANSACTION");
            TopicConfig normal = new TopicConfig("NormalTopic", 2, PermName.READ_WRITE);
            normal.attributes = Map.of(SendRouter.MESSAGE_TYPE_ATTRIBUTE, "NORMAL");
            f.topics.put(tx);
            f.topics.put(normal);

            Refusal plainToTx = refused(f.router.route(send("TxTopic").decode()));
            assertThat(plainToTx.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(plainToTx.remark()).contains("TransactionMQProducer");
            Refusal txToNormal = refused(f.router.route(
                send("NormalTopic").sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).decode()));
            assertThat(txToNormal.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(txToNormal.remark()).contains("message.type=NORMAL");

            stored(f.router.route(send("TxTopic").sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).decode()));
            stored(f.router.route(send("NormalTopic").decode()));
        }
    }

    @Nested
    class AutoCreate {
        @Test
        void anUnknownTopicIsCreatedThroughTbw102() {
            Route.Store s = stored(f.router.route(send("NewTopic").defaultTopicQueueNums(4).queueId(3).decode()));

            TopicConfig created = f.topics.get("NewTopic");
            assertThat(created).isNotNull();
            assertThat(created.writeQueueNums).isEqualTo(4);
            assertThat(created.readQueueNums).isEqualTo(4);
            assertThat(created.perm).isEqualTo(PermName.READ_WRITE); // the template's INHERIT bit is not copied
            assertThat(f.topicsChanged).hasValue(1);
            assertThat(only(s).topic()).isEqualTo("NewTopic");
            assertThat(only(s).queueId()).isEqualTo(3);
        }

        @Test
        void theRequestedQueueCountIsCappedByTheTemplate() {
            stored(f.router.route(send("Wide").defaultTopicQueueNums(64).decode()));
            assertThat(f.topics.get("Wide").writeQueueNums).isEqualTo(8);
        }

        @Test
        void withAutoCreateOffTheTopicDoesNotExist(@TempDir Path other) {
            SendFixture off = new SendFixture(other, 1_000, false);
            Refusal r = refused(off.router.route(send("NewTopic").decode()));

            assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(r.remark()).contains("NewTopic").contains("autoCreateTopicEnable=false");
            assertThat(off.topics.get("NewTopic")).isNull();
            assertThat(off.topicsChanged).hasValue(0);
        }

        @Test
        void anUnknownTemplateMeansTheTopicDoesNotExist() {
            SendFixture.Req req = send("NewTopic");
            req.defaultTopic = "NoSuchTemplate";
            Refusal r = refused(f.router.route(req.decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(r.remark()).contains("does not exist").doesNotContain("autoCreateTopicEnable");
        }

        @Test
        void creationBeyondTheTopicLimitIsRefusedNamingMaxTopicCount(@TempDir Path other) {
            SendFixture small = new SendFixture(other, 3, true); // TBW102 and TopicA already count
            stored(small.router.route(send("New1").decode()));
            assertThat(small.topics.size()).isEqualTo(3);

            Refusal r = refused(small.router.route(send("New2").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(r.remark()).contains("New2").contains("holds 3 topics").contains("maxTopicCount=3");
            assertThat(small.topics.get("New2")).isNull();
            assertThat(small.topicsChanged).hasValue(1);
            stored(small.router.route(send(TOPIC).decode())); // existing topics still take sends
        }

        @Test
        void aTableAlreadyAtTheLimitRefusesEvenTheFirstCreation(@TempDir Path other) {
            SendFixture full = new SendFixture(other, 2, true);
            Refusal r = refused(full.router.route(send("New1").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(r.remark()).contains("maxTopicCount=2");
        }
    }

    @Nested
    class RetryAndDeadLetter {
        @Test
        void retriesBelowTheGroupsMaximumStayOnTheRetryTopic() {
            MessageDraft d = only(f.router.route(send("%RETRY%G1").reconsumeTimes(15).decode()));
            assertThat(d.topic()).isEqualTo("%RETRY%G1");
            assertThat(d.reconsumeTimes()).isEqualTo(15);
            assertThat(f.topics.get("%RETRY%G1").writeQueueNums).isEqualTo(1);
            assertThat(f.groups.get("G1")).isNotNull(); // auto-created (autoCreateSubscriptionGroup=true)
        }

        @Test
        void reachingTheGroupsRetryMaxTimesGoesToTheDlqQueueZero() {
            Route.Store s = stored(f.router.route(send("%RETRY%G1").queueId(0).reconsumeTimes(16)
                .prop("DELAY", "3").prop("TIMER_DELIVER_MS", String.valueOf(NOW + 60_000)).prop("TAGS", "T").decode()));

            MessageDraft d = only(s);
            assertThat(d.topic()).isEqualTo("%DLQ%G1");
            assertThat(d.queueId()).isZero();
            assertThat(s.queueId()).isZero();
            assertThat(props(d)).doesNotContainKeys("DELAY", "TIMER_DELIVER_MS").containsEntry("TAGS", "T")
                .containsKey("CLUSTER");
            assertThat(f.topics.get("%DLQ%G1")).isNotNull();
            assertThat(f.diversions.calls).isEmpty(); // neither scheduled nor put on the timer
        }

        @Test
        void theClientsMaxReconsumeTimesDecides() {
            MessageDraft dlq = only(f.router.route(send("%RETRY%G1").reconsumeTimes(2).maxReconsumeTimes(2).decode()));
            assertThat(dlq.topic()).isEqualTo("%DLQ%G1");
            assertThat(dlq.queueId()).isZero();

            MessageDraft retry = only(f.router.route(send("%RETRY%G1").reconsumeTimes(1).maxReconsumeTimes(2).decode()));
            assertThat(retry.topic()).isEqualTo("%RETRY%G1");
        }

        @Test
        void aGroupsOwnRetryMaxTimesDecides() {
            SubscriptionGroupConfig g = new SubscriptionGroupConfig("G2");
            g.retryMaxTimes = 3;
            f.groups.put(g);
            assertThat(only(f.router.route(send("%RETRY%G2").reconsumeTimes(3).decode())).topic()).isEqualTo("%DLQ%G2");
            assertThat(only(f.router.route(send("%RETRY%G2").reconsumeTimes(2).decode())).topic()).isEqualTo("%RETRY%G2");
        }

        @Test
        void anUnknownGroupWithoutAutoCreationIsRefused() {
            f.config.autoCreateSubscriptionGroup = false;
            Refusal r = refused(f.router.route(send("%RETRY%Nobody").reconsumeTimes(20).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
            assertThat(r.remark()).contains("Nobody");
        }

        @Test
        void aGroupThatCannotBeCreatedAtTheGroupLimitIsRefused(@TempDir Path other) {
            io.quiver.broker.metadata.SubscriptionGroupTable full = new io.quiver.broker.metadata.SubscriptionGroupTable(other, 0);
            SendRouter router = new SendRouter(f.config, full, f.resolver, f.diversions, STORE_HOST, () -> NOW);
            Refusal r = refused(router.route(send("%RETRY%G9").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
            assertThat(r.remark()).contains("G9").contains("maxSubscriptionGroupCount=0");
            assertThat(full.get("G9")).isNull();
        }

        @Test
        void aRetryQueueIdBeyondTheRetryTopicIsReplacedNotRefused() {
            MessageDraft d = only(f.router.route(send("%RETRY%G1").queueId(5).decode()));
            assertThat(d.queueId()).isZero(); // the retry topic has one queue
        }
    }

    @Nested
    class Delay {
        @Test
        void aDelayLevelIsScheduledAndTimerPropertiesAreDropped() {
            Route.Store s = stored(f.router.route(send(TOPIC).queueId(1).prop("DELAY", "3")
                .prop("TIMER_DELIVER_MS", String.valueOf(NOW + 60_000)).prop("TIMER_DELAY_SEC", "5").decode()));

            assertThat(f.diversions.calls).hasSize(1);
            FakeDiversions.Call c = f.diversions.calls.get(0);
            assertThat(c.kind()).isEqualTo("schedule");
            assertThat(c.arg()).isEqualTo(3);
            assertThat(c.draft()).isSameAs(only(s));
            assertThat(c.draft().topic()).isEqualTo(TOPIC); // built for its real address; the diversion readdresses
            assertThat(c.draft().queueId()).isEqualTo(1);
            assertThat(c.props()).containsEntry("DELAY", "3").containsKey("CLUSTER")
                .doesNotContainKeys("TIMER_DELIVER_MS", "TIMER_DELAY_SEC", "TIMER_DELAY_MS");
            assertThat(s.queueId()).isEqualTo(1);
        }

        @Test
        void aZeroOrUnreadableDelayIsAPlainSend() {
            stored(f.router.route(send(TOPIC).prop("DELAY", "0").decode()));
            stored(f.router.route(send(TOPIC).prop("DELAY", "soon").decode()));
            assertThat(f.diversions.calls).isEmpty();
            assertThat(SendRouter.delayLevel(" 4 ")).isEqualTo(4);
            assertThat(SendRouter.delayLevel(null)).isZero();
        }
    }

    @Nested
    class Timer {
        @Test
        void aFutureDeliveryTimeGoesToTheTimer() {
            long at = NOW + 60_000;
            Route.Store s = stored(f.router.route(send(TOPIC).queueId(2).prop("TIMER_DELIVER_MS", String.valueOf(at)).decode()));

            assertThat(f.diversions.calls).hasSize(1);
            FakeDiversions.Call c = f.diversions.calls.get(0);
            assertThat(c.kind()).isEqualTo("timer");
            assertThat(c.arg()).isEqualTo(at);
            assertThat(c.draft()).isSameAs(only(s));
            assertThat(c.props()).containsEntry("TIMER_DELIVER_MS", String.valueOf(at));
            assertThat(s.queueId()).isEqualTo(2);
        }

        @Test
        void relativeDelaysCountFromTheClock() {
            stored(f.router.route(send(TOPIC).prop("TIMER_DELAY_SEC", "10").decode()));
            stored(f.router.route(send(TOPIC).prop("TIMER_DELAY_MS", "1500").decode()));
            assertThat(f.diversions.calls).extracting(FakeDiversions.Call::arg).containsExactly(NOW + 10_000, NOW + 1_500);
        }

        @Test
        void aPastDeliveryTimeIsAPlainSend() {
            stored(f.router.route(send(TOPIC).prop("TIMER_DELIVER_MS", String.valueOf(NOW)).decode()));
            assertThat(f.diversions.calls).isEmpty();
        }

        @Test
        void beyondTimerMaxDelaySecIsIllegal() {
            f.config.timerMaxDelaySec = 60;
            stored(f.router.route(send(TOPIC).prop("TIMER_DELIVER_MS", String.valueOf(NOW + 60_000)).decode()));

            Refusal r = refused(f.router.route(send(TOPIC).prop("TIMER_DELIVER_MS", String.valueOf(NOW + 61_000)).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("61 s").contains("timerMaxDelaySec").contains("60 s");
            assertThat(f.diversions.calls).hasSize(1);
        }

        @Test
        void aDisabledTimerWheelIsASystemError() {
            f.config.timerWheelEnable = false;
            Refusal r = refused(f.router.route(send(TOPIC).prop("TIMER_DELAY_SEC", "5").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(r.remark()).contains("timerWheelEnable=false");
            stored(f.router.route(send(TOPIC).decode())); // non-timer sends are unaffected
        }

        @Test
        void aFullTimerIsSystemBusy() {
            f.diversions.room = false;
            Refusal r = refused(f.router.route(send(TOPIC).prop("TIMER_DELAY_SEC", "5").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_BUSY);
            assertThat(r.remark()).contains("[TIMER]").contains(String.valueOf(FakeDiversions.MAX_PENDING));
            assertThat(f.diversions.calls).isEmpty();
        }

        @Test
        void anUnreadableTimerPropertyIsIllegal() {
            Refusal r = refused(f.router.route(send(TOPIC).prop("TIMER_DELAY_MS", "soon").decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("not a number").contains("soon");
        }
    }

    @Nested
    class Transactions {
        @Test
        void aHalfMessageIsDivertedAndItsUniqKeyIsTheTransactionId() {
            Route.Store s = stored(f.router.route(send(TOPIC).queueId(3).sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE)
                .prop("UNIQ_KEY", "TX-1").prop("DELAY", "2").prop("PGROUP", "PG").decode()));

            assertThat(s.transactionId()).isEqualTo("TX-1");
            assertThat(s.queueId()).isEqualTo(3);
            assertThat(f.diversions.calls).hasSize(1); // half only: not also scheduled
            FakeDiversions.Call c = f.diversions.calls.get(0);
            assertThat(c.kind()).isEqualTo("half");
            assertThat(c.draft()).isSameAs(only(s));
            assertThat(c.draft().sysFlag()).isEqualTo(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
            assertThat(c.props()).containsEntry("UNIQ_KEY", "TX-1").containsEntry("DELAY", "2").containsKey("CLUSTER");
        }

        @Test
        void aHalfMessageToARetryTopicIsNotSentToTheDlq() {
            Route.Store s = stored(f.router.route(send("%RETRY%G1").reconsumeTimes(99)
                .sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).prop("UNIQ_KEY", "TX-2").decode()));
            assertThat(only(s).topic()).isEqualTo("%RETRY%G1");
            assertThat(f.diversions.calls).extracting(FakeDiversions.Call::kind).containsExactly("half");
        }
    }

    @Nested
    class Batches {
        @Test
        void eachMemberBecomesADraftKeepingItsPropertiesWithBatchLevelOnesFillingGaps() {
            byte[] body = SendFixture.batchBody(
                new Member(1, "first".getBytes(), Map.of("TAGS", "A", "UNIQ_KEY", "u1", "KEYS", "k1")),
                new Member(2, "second!".getBytes(), Map.of("UNIQ_KEY", "u2")));
            Route.Store s = stored(f.router.route(send(TOPIC).queueId(1).batch(body)
                .prop("TAGS", "B").prop("WAIT", "true").decode()));

            assertThat(s.drafts()).hasSize(2);
            assertThat(s.queueId()).isEqualTo(1);
            assertThat(s.transactionId()).isNull();
            MessageDraft d1 = s.drafts().get(0);
            MessageDraft d2 = s.drafts().get(1);
            assertThat(d1.topic()).isEqualTo(TOPIC);
            assertThat(d2.topic()).isEqualTo(TOPIC);
            assertThat(d1.queueId()).isEqualTo(1);
            assertThat(d2.queueId()).isEqualTo(1);
            assertThat(bodyOf(d1)).isEqualTo("first");
            assertThat(bodyOf(d2)).isEqualTo("second!");
            assertThat(d1.flag()).isEqualTo(1);
            assertThat(d2.flag()).isEqualTo(2);
            assertThat(props(d1)).containsEntry("TAGS", "A").containsEntry("UNIQ_KEY", "u1").containsEntry("KEYS", "k1")
                .containsEntry("WAIT", "true").containsEntry("CLUSTER", "DefaultCluster");
            assertThat(props(d2)).containsEntry("TAGS", "B").containsEntry("UNIQ_KEY", "u2")
                .containsEntry("WAIT", "true").containsEntry("CLUSTER", "DefaultCluster").doesNotContainKey("KEYS");
            assertThat(d1.tagsCode()).isEqualTo("A".hashCode());
            assertThat(d2.tagsCode()).isEqualTo("B".hashCode());
            assertThat(d1.uniqKey()).isEqualTo("u1");
            assertThat(d2.uniqKey()).isEqualTo("u2");
            assertThat(d1.keys()).isEqualTo("k1");
            assertThat(d2.keys()).isNull();
            assertThat(f.diversions.calls).isEmpty();
        }

        @Test
        void aDelayedOrTimedBatchIsIllegalNotDeliveredEarly() {
            byte[] delayedMember = SendFixture.batchBody(Member.of("a", Map.of()), Member.of("b", Map.of("DELAY", "3")));
            Refusal r = refused(f.router.route(send(TOPIC).batch(delayedMember).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("batch member 1").contains("DELAY");

            byte[] plain = SendFixture.batchBody(Member.of("a", Map.of()), Member.of("b", Map.of()));
            Refusal timed = refused(f.router.route(send(TOPIC).batch(plain)
                .prop("TIMER_DELIVER_MS", String.valueOf(NOW + 60_000)).decode()));
            assertThat(timed.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(f.diversions.calls).isEmpty();
        }

        @Test
        void aMemberAboveMaxMessageSizeIsIllegal() {
            f.config.maxMessageSize = 5;
            byte[] body = SendFixture.batchBody(Member.of("12345", Map.of()), Member.of("123456", Map.of()));
            Refusal r = refused(f.router.route(send(TOPIC).batch(body).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("member").contains("6 bytes").contains("maxMessageSize");
        }

        @Test
        void membersAddingUpAboveMaxMessageSizeAreIllegal() {
            f.config.maxMessageSize = 8;
            byte[] body = SendFixture.batchBody(Member.of("12345", Map.of()), Member.of("12345", Map.of()));
            Refusal r = refused(f.router.route(send(TOPIC).batch(body).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("add up to 10 bytes").contains("maxMessageSize");
        }

        @Test
        void aMalformedBatchBodyIsIllegal() {
            byte[] body = SendFixture.batchBody(Member.of("abc", Map.of("TAGS", "A")));
            byte[] cut = java.util.Arrays.copyOf(body, body.length - 1);
            Refusal r = refused(f.router.route(send(TOPIC).batch(cut).decode()));
            assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("batch entry 0");

            Refusal empty = refused(f.router.route(send(TOPIC).batch(new byte[0]).decode()));
            assertThat(empty.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
            assertThat(empty.remark()).contains("empty");
        }

        @Test
        void anExhaustedRetryBatchGoesToTheDlq() {
            byte[] body = SendFixture.batchBody(Member.of("a", Map.of()), Member.of("b", Map.of()));
            Route.Store s = stored(f.router.route(send("%RETRY%G1").reconsumeTimes(16).batch(body).decode()));
            assertThat(s.drafts()).extracting(MessageDraft::topic).containsOnly("%DLQ%G1");
            assertThat(s.drafts()).extracting(MessageDraft::queueId).containsOnly(0);
        }
    }
}
