package io.quiver.broker.handler;

import static io.quiver.broker.send.SendFixture.STORE_HOST;
import static io.quiver.broker.send.SendFixture.STORE_PORT;
import static io.quiver.broker.send.SendFixture.TOPIC;
import static io.quiver.broker.send.SendFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.send.SendFixture;
import io.quiver.broker.send.SendFixture.Member;
import io.quiver.broker.send.SendObserver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.TestContexts;
import io.quiver.store.PutResult;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unit tier: SendHandler runs decode → validate → route → append → reply on the connection's event loop,
 * answering refusals without touching the store and mapping each store outcome to the producer's code and
 * reply fields (msgId, queueId, queueOffset, transactionId).
 */
@Timeout(10)
class SendHandlerTest {
    /** An EmbeddedChannel whose peer is an IPv4 socket address, as RequestContext expects. */
    static final class IpChannel extends EmbeddedChannel {
        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remoteAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", STORE_PORT);
        }
    }

    /** One call to the fake store. */
    record Append(List<MessageDraft> drafts, boolean waitDurable, Executor completeOn) {}

    /** Records arrivals and stored() calls. */
    static final class RecordingObserver implements SendObserver {
        int arrived;
        final List<String> stored = new ArrayList<>();

        @Override
        public void arrived() {
            arrived++;
        }

        @Override
        public void stored(String topic, int messages, long bodyBytes, long startNanos) {
            assertThat(startNanos).isLessThanOrEqualTo(System.nanoTime());
            stored.add(topic + "/" + messages + "/" + bodyBytes);
        }
    }

    @TempDir
    Path dir;
    SendFixture f;
    IpChannel channel;
    final List<Append> appends = new ArrayList<>();
    final RecordingObserver observer = new RecordingObserver();
    /** What the fake store answers for the drafts it is given. */
    Function<List<MessageDraft>, CompletableFuture<PutResult>> store;

    @BeforeEach
    void setUp() {
        f = new SendFixture(dir);
        channel = new IpChannel();
        store = drafts -> CompletableFuture.completedFuture(ok(drafts.size(), 5000L, 77L));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    static PutResult ok(int n, long firstCommitLogOffset, long firstQueueOffset) {
        return result(PutResult.Status.PUT_OK, null, n, firstCommitLogOffset, firstQueueOffset);
    }

    static PutResult result(PutResult.Status status, String remark, int n, long firstCommitLogOffset, long firstQueueOffset) {
        long[] cl = new long[n];
        long[] q = new long[n];
        for (int i = 0; i < n; i++) {
            cl[i] = firstCommitLogOffset + 100L * i;
            q[i] = firstQueueOffset + i;
        }
        return new PutResult(status, remark, cl, q, SendFixture.NOW);
    }

    SendHandler handler() {
        MessageAppender appender = (drafts, waitDurable, completeOn) -> {
            appends.add(new Append(List.copyOf(drafts), waitDurable, completeOn));
            return store.apply(drafts);
        };
        return new SendHandler(f.validator, f.router, appender, observer, STORE_HOST, STORE_PORT);
    }

    /** Handles {@code req} and returns the one response written to the channel. */
    RemotingCommand handle(RemotingCommand req) {
        handler().handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        assertThat(resp).as("a response was written").isNotNull();
        assertThat((Object) channel.readOutbound()).as("only one response").isNull();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        assertThat(resp.isResponse()).isTrue();
        return resp;
    }

    RemotingCommand handle(SendFixture.Req req) {
        return handle(req.command());
    }

    void assertRefusedBeforeTheStore(RemotingCommand resp, int code, String... remarkParts) {
        assertThat(resp.code()).isEqualTo(code);
        assertThat(resp.remark()).contains(remarkParts);
        assertThat(resp.ext("msgId")).isNull();
        assertThat(appends).isEmpty();
        assertThat(observer.arrived).isEqualTo(1);
        assertThat(observer.stored).isEmpty();
    }

    // ------------------------------------------------------------------ refusals before the store

    @Test
    void anInvalidTopicNameIsASystemError() {
        assertRefusedBeforeTheStore(handle(send("bad/topic")), ResponseCode.SYSTEM_ERROR, "invalid topic", "'/'");
    }

    @Test
    void aSystemTopicIsNotPermitted() {
        assertRefusedBeforeTheStore(handle(send(TopicNames.SCHEDULE_TOPIC)), ResponseCode.NO_PERMISSION,
            "system topic " + TopicNames.SCHEDULE_TOPIC);
    }

    @Test
    void aReadOnlyBrokerRefusesWrites() {
        f.config.brokerPermission = 4;
        assertRefusedBeforeTheStore(handle(send(TOPIC)), ResponseCode.NO_PERMISSION, "brokerPermission=4");
    }

    @Test
    void aBodyAboveMaxMessageSizeIsIllegal() {
        f.config.maxMessageSize = 4;
        assertRefusedBeforeTheStore(handle(send(TOPIC).body(new byte[5])), ResponseCode.MESSAGE_ILLEGAL,
            "5 bytes", "maxMessageSize", "4 bytes");
    }

    @Test
    void aTransactionalBatchIsNotPermitted() {
        byte[] body = SendFixture.batchBody(Member.of("a", Map.of()));
        assertRefusedBeforeTheStore(handle(send(TOPIC).sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).batch(body)),
            ResponseCode.NO_PERMISSION, "batch cannot be transactional");
    }

    @Test
    void anUnknownTopicWithAutoCreationOffDoesNotExist(@TempDir Path other) {
        f = new SendFixture(other, 1_000, false);
        assertRefusedBeforeTheStore(handle(send("Unknown")), ResponseCode.TOPIC_NOT_EXIST,
            "Unknown", "autoCreateTopicEnable=false");
    }

    @Test
    void anUnknownTopicBeyondTheTopicLimitDoesNotExist(@TempDir Path other) {
        f = new SendFixture(other, 2, true);
        assertRefusedBeforeTheStore(handle(send("Unknown")), ResponseCode.TOPIC_NOT_EXIST, "maxTopicCount=2");
        assertThat(f.topics.get("Unknown")).isNull();
    }

    @Test
    void aTimerBeyondTimerMaxDelaySecIsIllegal() {
        f.config.timerMaxDelaySec = 10;
        assertRefusedBeforeTheStore(handle(send(TOPIC).prop("TIMER_DELAY_SEC", "11")), ResponseCode.MESSAGE_ILLEGAL,
            "timerMaxDelaySec");
    }

    @Test
    void aFullTimerIsSystemBusy() {
        f.diversions.room = false;
        assertRefusedBeforeTheStore(handle(send(TOPIC).prop("TIMER_DELAY_SEC", "1")), ResponseCode.SYSTEM_BUSY, "[TIMER]");
    }

    @Test
    void aDisabledTimerIsASystemError() {
        f.config.timerWheelEnable = false;
        assertRefusedBeforeTheStore(handle(send(TOPIC).prop("TIMER_DELAY_SEC", "1")), ResponseCode.SYSTEM_ERROR,
            "timerWheelEnable=false");
    }

    // ------------------------------------------------------------------ stored sends

    @Test
    void aPlainSendIsStoredAndAnsweredWithItsIdAndOffsets() {
        RemotingCommand resp = handle(send(TOPIC).queueId(2).prop("TAGS", "TagA").prop("UNIQ_KEY", "U1"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("msgId")).isEqualTo(MessageId.offsetId(STORE_HOST, STORE_PORT, 5000));
        assertThat(MessageId.decode(resp.ext("msgId")).commitLogOffset()).isEqualTo(5000);
        assertThat(resp.ext("queueId")).isEqualTo("2");
        assertThat(resp.ext("queueOffset")).isEqualTo("77");
        assertThat(resp.ext("MSG_REGION")).isEqualTo("DefaultRegion");
        assertThat(resp.ext("TRACE_ON")).isEqualTo("true");
        assertThat(resp.ext("transactionId")).isNull();

        assertThat(appends).hasSize(1);
        Append a = appends.get(0);
        assertThat(a.waitDurable()).isTrue();
        assertThat(a.completeOn()).isSameAs(channel.eventLoop());
        assertThat(a.drafts()).hasSize(1);
        MessageDraft d = a.drafts().get(0);
        assertThat(d.topic()).isEqualTo(TOPIC);
        assertThat(d.queueId()).isEqualTo(2);
        assertThat(d.tagsCode()).isEqualTo("TagA".hashCode());
        assertThat(MessageProperties.parse(d.properties())).containsEntry("CLUSTER", f.config.brokerClusterName)
            .containsEntry("TAGS", "TagA").containsEntry("UNIQ_KEY", "U1");
        assertThat(d.bornHost()).containsExactly(127, 0, 0, 1);
        assertThat(d.bornPort()).isEqualTo(40000);
        assertThat(observer.arrived).isEqualTo(1);
        assertThat(observer.stored).containsExactly(TOPIC + "/1/5");
    }

    @Test
    void waitFalseIsPassedToTheStore() {
        assertThat(handle(send(TOPIC).prop("WAIT", "false")).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(appends.get(0).waitDurable()).isFalse();
    }

    @Test
    void anAutoCreatedTopicIsStoredThroughTbw102() {
        RemotingCommand resp = handle(send("Fresh").defaultTopicQueueNums(2).queueId(1));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.topics.get("Fresh").writeQueueNums).isEqualTo(2);
        assertThat(f.topicsChanged).hasValue(1);
        assertThat(appends.get(0).drafts().get(0).topic()).isEqualTo("Fresh");
    }

    @Test
    void anExhaustedRetryIsStoredInTheDlqAndReportsQueueZero() {
        RemotingCommand resp = handle(send("%RETRY%G1").queueId(0).reconsumeTimes(2).maxReconsumeTimes(2));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("queueId")).isEqualTo("0");
        MessageDraft d = appends.get(0).drafts().get(0);
        assertThat(d.topic()).isEqualTo("%DLQ%G1");
        assertThat(d.queueId()).isZero();
    }

    @Test
    void aRetryBelowTheGroupsDefaultMaximumIsNotDeadLettered() {
        handle(send("%RETRY%G1").reconsumeTimes(15));
        assertThat(appends.get(0).drafts().get(0).topic()).isEqualTo("%RETRY%G1");
        handle(send("%RETRY%G1").reconsumeTimes(16));
        assertThat(appends.get(1).drafts().get(0).topic()).isEqualTo("%DLQ%G1");
    }

    @Test
    void aDelayLevelIsScheduled() {
        RemotingCommand resp = handle(send(TOPIC).queueId(3).prop("DELAY", "3").prop("TIMER_DELAY_SEC", "30"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.diversions.calls).hasSize(1);
        assertThat(f.diversions.calls.get(0).kind()).isEqualTo("schedule");
        assertThat(f.diversions.calls.get(0).arg()).isEqualTo(3);
        assertThat(f.diversions.calls.get(0).props()).containsEntry("DELAY", "3").doesNotContainKey("TIMER_DELAY_SEC");
        assertThat(f.diversions.calls.get(0).draft()).isSameAs(appends.get(0).drafts().get(0));
        assertThat(resp.ext("queueId")).isEqualTo("3");
    }

    @Test
    void aFutureDeliveryTimeGoesToTheTimer() {
        long at = SendFixture.NOW + 120_000;
        RemotingCommand resp = handle(send(TOPIC).prop("TIMER_DELIVER_MS", Long.toString(at)));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.diversions.calls).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("timer");
            assertThat(c.arg()).isEqualTo(at);
        });
    }

    @Test
    void aTransactionalSendIsAHalfMessageAnsweredWithItsUniqKeyAsTransactionId() {
        RemotingCommand resp = handle(send(TOPIC).queueId(1).sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE)
            .prop("UNIQ_KEY", "7F0000010001ABCDEF").prop("TRAN_MSG", "true"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("transactionId")).isEqualTo("7F0000010001ABCDEF");
        assertThat(resp.ext("queueId")).isEqualTo("1");
        assertThat(f.diversions.calls).extracting(c -> c.kind()).containsExactly("half");
        assertThat(appends.get(0).drafts()).singleElement().isSameAs(f.diversions.calls.get(0).draft());
    }

    @Test
    void aBatchIsOneAppendWithADraftPerMemberAndOneIdPerRecord() {
        byte[] body = SendFixture.batchBody(
            Member.of("one", Map.of("TAGS", "A", "UNIQ_KEY", "u1")),
            Member.of("two", Map.of("UNIQ_KEY", "u2")),
            Member.of("three", Map.of("UNIQ_KEY", "u3", "KEYS", "k3")));
        RemotingCommand resp = handle(send(TOPIC).queueId(0).batch(body).prop("TAGS", "Z"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("msgId")).isEqualTo(String.join(",",
            MessageId.offsetId(STORE_HOST, STORE_PORT, 5000), MessageId.offsetId(STORE_HOST, STORE_PORT, 5100),
            MessageId.offsetId(STORE_HOST, STORE_PORT, 5200)));
        assertThat(resp.ext("queueOffset")).isEqualTo("77");
        assertThat(appends).hasSize(1);
        List<MessageDraft> drafts = appends.get(0).drafts();
        assertThat(drafts).extracting(SendFixture::bodyOf).containsExactly("one", "two", "three");
        assertThat(drafts).extracting(MessageDraft::uniqKey).containsExactly("u1", "u2", "u3");
        assertThat(drafts).extracting(MessageDraft::tagsCode)
            .containsExactly((long) "A".hashCode(), (long) "Z".hashCode(), (long) "Z".hashCode());
        assertThat(MessageProperties.parse(drafts.get(2).properties())).containsEntry("KEYS", "k3").containsEntry("TAGS", "Z")
            .containsKey("CLUSTER");
        assertThat(observer.stored).containsExactly(TOPIC + "/3/11");
    }

    // ------------------------------------------------------------------ store outcomes

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "PUT_OK, 0, true",
        "FLUSH_DISK_TIMEOUT, 10, true",
        "FLUSH_FAILED, 1, true",
        "MESSAGE_ILLEGAL, 13, false",
        "DISK_FULL, 14, false",
        "SERVICE_NOT_AVAILABLE, 14, false",
        "BUSY, 2, false"})
    void storeOutcomesMapToResponseCodes(PutResult.Status status, int code, boolean stored) {
        int n = stored ? 1 : 0;
        store = drafts -> CompletableFuture.completedFuture(result(status, "store says " + status, n, 900, 4));
        RemotingCommand resp = handle(send(TOPIC).queueId(1));

        assertThat(resp.code()).isEqualTo(code);
        assertThat(SendHandler.responseCode(status)).isEqualTo(code);
        assertThat(resp.remark()).isEqualTo("store says " + status);
        if (code == ResponseCode.SUCCESS || code == ResponseCode.FLUSH_DISK_TIMEOUT) {
            assertThat(resp.ext("msgId")).isEqualTo(MessageId.offsetId(STORE_HOST, STORE_PORT, 900));
            assertThat(resp.ext("queueOffset")).isEqualTo("4");
            assertThat(resp.ext("queueId")).isEqualTo("1");
        } else {
            assertThat(resp.ext("msgId")).isNull();
            assertThat(resp.ext("queueOffset")).isNull();
        }
        assertThat(observer.stored).hasSize(stored ? 1 : 0);
    }

    @Test
    void aFailedAppendIsASystemError() {
        store = drafts -> CompletableFuture.failedFuture(new IllegalStateException("writer died"));
        RemotingCommand resp = handle(send(TOPIC));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("storing the message failed").contains("writer died");
        assertThat(observer.stored).isEmpty();
    }

    @Test
    void theReplyIsWrittenWhenTheStoreCompletesOnTheEventLoop() {
        List<Runnable> completions = new ArrayList<>();
        MessageAppender appender = (drafts, waitDurable, completeOn) -> {
            CompletableFuture<PutResult> done = new CompletableFuture<>();
            // the store's writer finishes later and hands the completion to completeOn
            completions.add(() -> completeOn.execute(() -> done.complete(ok(drafts.size(), 1, 2))));
            return done;
        };
        SendHandler h = new SendHandler(f.validator, f.router, appender, observer, STORE_HOST, STORE_PORT);
        RemotingCommand req = send(TOPIC).command();

        h.handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("no answer before the store completes").isNull();
        assertThat(observer.stored).isEmpty();

        completions.forEach(Runnable::run);
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.ext("queueOffset")).isEqualTo("2");
        assertThat(observer.stored).hasSize(1);
    }

    @Test
    void aOnewaySendIsStoredButNotAnswered() {
        RemotingCommand req = send(TOPIC).command().markOneway();
        handler().handle(TestContexts.of(channel, req), req);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(appends).hasSize(1);
        assertThat(observer.stored).hasSize(1);
    }
}
