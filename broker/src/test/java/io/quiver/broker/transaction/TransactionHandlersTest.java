package io.quiver.broker.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders.EndTransaction;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.TestContexts;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: END_TRANSACTION answers SUCCESS for a recorded decision (and for a repeated or "unknown" one,
 * changing nothing), SYSTEM_ERROR naming the reason for a missing or mismatched half, nothing at all when
 * oneway; the pending listing reports counters and open halves.
 */
@Timeout(20)
class TransactionHandlersTest {
    static final long T0 = 1_700_000_000_000L;
    static final byte[] HOST = {10, 0, 0, 7};

    record Half(long phy, long queueOffset) {}

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(T0);
    final BrokerConfig config = new BrokerConfig();
    final RemotingServer server = new RemotingServer("t", "127.0.0.1", 0, RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES);
    /** A real event loop: the store completes decisions from its own threads onto ctx.executor(). */
    final DefaultEventLoopGroup loop = new DefaultEventLoopGroup(1);
    final BlockingQueue<RemotingCommand> written = new LinkedBlockingQueue<>();
    LocalChannel channel;
    MessageStore store;
    TransactionService tx;
    TransactionHandlers handlers;

    @BeforeEach
    void setUp() {
        store = TestStores.started(dir.resolve("store"), now::get);
        tx = new TransactionService(config, store, new ClientRegistry(10), server, HOST, dir.resolve("data"), now::get);
        tx.beforeStart();
        handlers = new TransactionHandlers(tx, config);
        channel = new LocalChannel();
        // captures what the handler writes; the channel is registered on the loop but never connected
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                written.add((RemotingCommand) msg);
                promise.setSuccess();
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        });
        loop.register(channel).syncUninterruptibly();
    }

    @AfterEach
    void tearDown() {
        channel.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        tx.close();
        store.close();
        server.close();
    }

    Half half(String body) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MessageProperties.UNIQ_KEY, "U-" + body);
        p.put(MessageProperties.PGROUP, "PG");
        p.put(MessageProperties.TRAN_MSG, "true");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic("TopicA").queueId(0).bornTimestamp(T0).storeHost(HOST).storePort(10911)
            .sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
        d.body(b, 0, b.length);
        tx.toHalf(d, p);
        PutResult r = store.put(List.of(d), true).join();
        assertThat(r.isStored()).isTrue();
        return new Half(r.commitLogOffsets()[0], r.firstQueueOffset());
    }

    static RemotingCommand endRequest(String group, long queueOffset, long phy, int decision) {
        RemotingCommand req = RemotingCommand.request(RequestCode.END_TRANSACTION);
        new EndTransaction(group, queueOffset, phy, decision, false, "M", "T").encode(req);
        return req;
    }

    RemotingCommand endTransaction(RemotingCommand req) throws InterruptedException {
        handlers.endTransaction(TestContexts.of(channel, req), req);
        RemotingCommand resp = written.poll(10, TimeUnit.SECONDS);
        assertThat(resp).as("a response was written").isNotNull();
        assertThat(resp.isResponse()).isTrue();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        return resp;
    }

    @Test
    void aCommitIsAnsweredOnceStoredAndARepeatIsAnsweredAsAlreadyDecided() throws Exception {
        Half h = half("m");
        RemotingCommand resp = endTransaction(endRequest("PG", h.queueOffset(), h.phy(), EndTransaction.COMMIT));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.remark()).isNull();
        assertThat(store.maxOffset("TopicA", 0)).isEqualTo(1);

        RemotingCommand again = endTransaction(endRequest("PG", h.queueOffset(), h.phy(), EndTransaction.ROLLBACK));
        assertThat(again.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(again.remark()).isEqualTo("already decided; nothing changed");
        assertThat(store.maxOffset("TopicA", 0)).isEqualTo(1);
    }

    @Test
    void anUnknownStateIsAcknowledgedAndChangesNothing() throws Exception {
        Half h = half("m");
        RemotingCommand resp = endTransaction(endRequest("PG", h.queueOffset(), h.phy(), EndTransaction.UNKNOWN));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(store.maxOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0)).isZero();
        assertThat(tx.counters()).containsEntry("pending", 1L);
    }

    @Test
    void aMissingHalfIsASystemErrorNamingTheOffset() throws Exception {
        half("m");
        long nowhere = store.commitLogWritePosition() + 4_096;
        RemotingCommand resp = endTransaction(endRequest("PG", 0, nowhere, EndTransaction.COMMIT));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).isEqualTo(
            "Find prepared transaction message failed: no half message at commit-log offset " + nowhere);
    }

    @Test
    void aMismatchedHalfIsASystemErrorNamingGroupAndOffsets() throws Exception {
        Half h = half("m");
        RemotingCommand resp = endTransaction(endRequest("OtherPG", h.queueOffset(), h.phy(), EndTransaction.COMMIT));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("commit-log offset " + h.phy()).contains("producer group OtherPG");
        assertThat(store.maxOffset("TopicA", 0)).isZero();
    }

    @Test
    void aOnewayDecisionIsRecordedWithoutAnAnswer() throws Exception {
        Half h = half("m");
        RemotingCommand req = endRequest("PG", h.queueOffset(), h.phy(), EndTransaction.ROLLBACK).markOneway();
        handlers.endTransaction(TestContexts.of(channel, req), req);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> tx.counters().get("rolledBack") == 1L);
        assertThat(written.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(store.maxOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0)).isEqualTo(1);
    }

    @Test
    void thePendingListingReportsCountersAndOpenHalves() throws Exception {
        Half decided = half("a");
        Half open = half("b");
        endTransaction(endRequest("PG", decided.queueOffset(), decided.phy(), EndTransaction.COMMIT));

        RemotingCommand req = RemotingCommand.request(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS);
        handlers.listPending(TestContexts.of(channel, req), req);
        RemotingCommand resp = written.poll(10, TimeUnit.SECONDS);
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = Json.mapper().readValue(resp.body(), Map.class);
        assertThat(body).containsEntry("brokerName", "broker-a");
        assertThat((Map<String, Object>) body.get("counters")).containsEntry("prepared", 2).containsEntry("committed", 1)
            .containsEntry("pending", 1);
        assertThat((List<Map<String, Object>>) body.get("pending")).singleElement().satisfies(p -> {
            assertThat(p).containsEntry("halfOffset", (int) open.queueOffset()).containsEntry("topic", "TopicA")
                .containsEntry("producerGroup", "PG").containsEntry("msgId", "U-b");
        });
    }
}
