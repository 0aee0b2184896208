package io.quiver.broker.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.testing.StoredMessages;
import io.quiver.broker.testing.TestStores;
import io.quiver.broker.transaction.TransactionService.Outcome;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.header.RequestHeaders.EndTransaction;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RemotingServer;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: TransactionService on a real store turns a transactional send into a half message, records
 * each half's first decision only (a commit stores the real message once, a rollback nothing, "unknown" is
 * ignored), refuses decisions for unknown or mismatched halves, and replays its decisions from the op log
 * after a restart.
 */
@Timeout(20)
class TransactionServiceTest {
    static final long T0 = 1_700_000_000_000L;
    static final byte[] HOST = {10, 0, 0, 7};
    static final String TOPIC = "TopicA";

    /** A stored half message: its commit-log offset and half-queue offset. */
    record Half(long phy, long queueOffset, String uniq) {}

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(T0);
    final BrokerConfig config = new BrokerConfig();
    final RemotingServer server = new RemotingServer("t", "127.0.0.1", 0, RemotingCommandCodec.DEFAULT_MAX_FRAME_BYTES);
    MessageStore store;
    TransactionService tx;
    final List<TransactionService> services = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = TestStores.started(dir.resolve("store"), now::get);
        tx = service(dir.resolve("data"));
    }

    @AfterEach
    void tearDown() {
        services.forEach(TransactionService::close);
        store.close();
        server.close();
    }

    /** A service recovered from the store (beforeStart) without its check thread. */
    TransactionService service(Path dataDir) {
        TransactionService s = new TransactionService(config, store, new ClientRegistry(10), server, HOST, dataDir,
            now::get);
        s.beforeStart();
        services.add(s);
        return s;
    }

    static MessageDraft send(String body, Map<String, String> props, int queueId) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(TOPIC).queueId(queueId).bornTimestamp(T0).storeHost(HOST)
            .storePort(10911).sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE);
        d.body(b, 0, b.length);
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }

    static Map<String, String> props(String uniq) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MessageProperties.TAGS, "TagT");
        p.put(MessageProperties.UNIQ_KEY, uniq);
        p.put(MessageProperties.TRAN_MSG, "true");
        p.put(MessageProperties.PGROUP, "PG");
        return p;
    }

    /** Sends a transactional message for {@code TopicA/queueId} as the send path does: toHalf, then store. */
    Half half(String body, int queueId) {
        Map<String, String> p = props("U-" + body);
        MessageDraft d = send(body, p, queueId);
        tx.toHalf(d, p);
        PutResult r = store.put(List.of(d), true).join();
        assertThat(r.isStored()).isTrue();
        return new Half(r.commitLogOffsets()[0], r.firstQueueOffset(), "U-" + body);
    }

    static EndTransaction end(Half h, int decision) {
        return new EndTransaction("PG", h.queueOffset(), h.phy(), decision, false, h.uniq(), h.uniq());
    }

    Outcome decide(TransactionService s, Half h, int decision) {
        return s.end(end(h, decision), Runnable::run).join();
    }

    List<DecodedMessage> read(String topic, int queueId) {
        return StoredMessages.read(store, topic, queueId);
    }

    static String body(DecodedMessage m) {
        return StoredMessages.text(m);
    }

    @Test
    void toHalfReaddressesTheSendToTheHalfQueueWithItsRealDestination() {
        Map<String, String> p = props("U1");
        MessageDraft d = send("m", p, 3);
        tx.toHalf(d, p);
        assertThat(d.topic()).isEqualTo(TopicNames.TRANS_HALF_TOPIC);
        assertThat(d.queueId()).isZero();
        assertThat(MessageSysFlag.transactionType(d.sysFlag())).isEqualTo(MessageSysFlag.TRANSACTION_NOT_TYPE);
        assertThat(d.tagsCode()).isZero();
        assertThat(MessageProperties.parse(d.properties())).containsEntry(MessageProperties.REAL_TOPIC, TOPIC)
            .containsEntry(MessageProperties.REAL_QID, "3").containsEntry(MessageProperties.PGROUP, "PG")
            .containsEntry(MessageProperties.UNIQ_KEY, "U1");
        assertThat(tx.counters()).containsEntry("prepared", 1L);
    }

    @Test
    void aHalfMessageIsInvisibleInItsRealTopicUntilDecided() {
        Half h = half("m", 2);
        assertThat(read(TOPIC, 2)).isEmpty();
        assertThat(read(TopicNames.TRANS_HALF_TOPIC, 0)).singleElement()
            .satisfies(m -> assertThat(m.physicalOffset).isEqualTo(h.phy()));
        assertThat(tx.counters()).containsEntry("pending", 1L);
        assertThat(tx.pending(10)).singleElement().satisfies(p -> {
            assertThat(p.halfOffset).isEqualTo(h.queueOffset());
            assertThat(p.topic).isEqualTo(TOPIC);
            assertThat(p.producerGroup).isEqualTo("PG");
            assertThat(p.msgId).isEqualTo("U-m");
        });
    }

    @Test
    void aCommitStoresTheRealMessageOnceAndRecordsTheDecision() {
        Half h = half("m", 2);

        assertThat(decide(tx, h, EndTransaction.COMMIT)).isEqualTo(Outcome.DONE);

        assertThat(read(TOPIC, 2)).singleElement().satisfies(m -> {
            assertThat(body(m)).isEqualTo("m");
            assertThat(MessageSysFlag.transactionType(m.sysFlag)).isEqualTo(MessageSysFlag.TRANSACTION_COMMIT_TYPE);
            assertThat(m.preparedTransactionOffset).isEqualTo(h.phy());
            assertThat(m.propertyMap()).containsEntry(MessageProperties.UNIQ_KEY, "U-m");
        });
        assertThat(store.tagsCodeAt(TOPIC, 2, 0)).isEqualTo((long) "TagT".hashCode());
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).singleElement().satisfies(op -> {
            assertThat(body(op)).isEqualTo(Long.toString(h.queueOffset()));
            assertThat(op.propertyMap()).containsEntry(MessageProperties.TRAN_DECISION, "C");
        });
        assertThat(tx.counters()).containsEntry("committed", 1L).containsEntry("rolledBack", 0L)
            .containsEntry("pending", 0L);
        assertThat(tx.pending(10)).isEmpty();

        assertThat(decide(tx, h, EndTransaction.COMMIT)).isEqualTo(Outcome.ALREADY_DECIDED);
        assertThat(decide(tx, h, EndTransaction.ROLLBACK)).isEqualTo(Outcome.ALREADY_DECIDED);
        assertThat(read(TOPIC, 2)).as("committed once only").hasSize(1);
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).hasSize(1);
        assertThat(tx.counters()).containsEntry("committed", 1L).containsEntry("rolledBack", 0L);
    }

    @Test
    void aRollbackStoresNothingInTheRealTopic() {
        Half h = half("m", 1);

        assertThat(decide(tx, h, EndTransaction.ROLLBACK)).isEqualTo(Outcome.DONE);

        assertThat(read(TOPIC, 1)).isEmpty();
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).singleElement()
            .satisfies(op -> assertThat(op.propertyMap()).containsEntry(MessageProperties.TRAN_DECISION, "R"));
        assertThat(tx.counters()).containsEntry("rolledBack", 1L).containsEntry("committed", 0L)
            .containsEntry("pending", 0L);
        assertThat(decide(tx, h, EndTransaction.COMMIT)).isEqualTo(Outcome.ALREADY_DECIDED);
        assertThat(read(TOPIC, 1)).isEmpty();
    }

    @Test
    void anUnknownStateIsIgnoredAndTheHalfStaysPending() {
        Half h = half("m", 0);
        assertThat(decide(tx, h, EndTransaction.UNKNOWN)).isEqualTo(Outcome.IGNORED);
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).isEmpty();
        assertThat(tx.counters()).containsEntry("pending", 1L);
        assertThat(decide(tx, h, EndTransaction.COMMIT)).as("still open for a real decision").isEqualTo(Outcome.DONE);
    }

    @Test
    void aDecisionForNoHalfOrAnotherHalfIsRefused() {
        Half h = half("m", 0);
        Half other = half("n", 0);
        long end = store.commitLogWritePosition();

        assertThat(tx.end(new EndTransaction("PG", 0, end + 1_000, EndTransaction.COMMIT, false, null, null),
            Runnable::run).join()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(tx.end(new EndTransaction("OtherGroup", h.queueOffset(), h.phy(), EndTransaction.COMMIT, false,
            null, null), Runnable::run).join()).isEqualTo(Outcome.MISMATCH);
        assertThat(tx.end(new EndTransaction("PG", other.queueOffset(), h.phy(), EndTransaction.COMMIT, false, null,
            null), Runnable::run).join()).isEqualTo(Outcome.MISMATCH);

        assertThat(read(TOPIC, 0)).isEmpty();
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).isEmpty();
        assertThat(tx.counters()).containsEntry("pending", 2L);
    }

    @Test
    void aRestartReplaysTheDecisionsFromTheOpLog() {
        Half committed = half("c", 0);
        Half rolledBack = half("r", 0);
        Half open = half("o", 0);
        decide(tx, committed, EndTransaction.COMMIT);
        decide(tx, rolledBack, EndTransaction.ROLLBACK);

        // a fresh data directory: no decision files and no transaction.json, only the op log in the store
        TransactionService restarted = service(dir.resolve("fresh"));

        assertThat(restarted.counters()).containsEntry("pending", 1L);
        assertThat(restarted.pending(10)).extracting(p -> p.halfOffset).containsExactly(open.queueOffset());
        assertThat(decide(restarted, committed, EndTransaction.COMMIT)).isEqualTo(Outcome.ALREADY_DECIDED);
        assertThat(decide(restarted, rolledBack, EndTransaction.COMMIT)).isEqualTo(Outcome.ALREADY_DECIDED);
        assertThat(decide(restarted, open, EndTransaction.COMMIT)).isEqualTo(Outcome.DONE);
        assertThat(read(TOPIC, 0)).extracting(TransactionServiceTest::body).containsExactly("c", "o");
    }

    @Test
    void aCommitWhoseOpRecordWasLostIsNotStoredTwice() {
        Half h = half("m", 0);
        // as after a crash between the commit record and its op record: the committed copy is in the log
        DecodedMessage halfRecord = MessageRecord.decode(store.recordAt(h.phy()), 0);
        MessageDraft committedCopy = MessageDraft.copyOf(halfRecord).topic(TOPIC).queueId(0)
            .sysFlag(MessageSysFlag.TRANSACTION_COMMIT_TYPE).preparedTransactionOffset(h.phy());
        assertThat(store.put(List.of(committedCopy), true).join().isStored()).isTrue();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> store.indexedUpTo() >= store.commitLogWritePosition());
        TransactionService restarted = service(dir.resolve("data")); // the crash: a new life over the same log

        assertThat(decide(restarted, h, EndTransaction.COMMIT)).isEqualTo(Outcome.DONE);

        assertThat(read(TOPIC, 0)).as("the earlier committed copy is the only one").hasSize(1);
        assertThat(read(TopicNames.TRANS_OP_HALF_TOPIC, 0)).hasSize(1);
    }
}
