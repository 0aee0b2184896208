package io.quiver.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.testing.StoredMessages;
import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: PopService on a real store with a fake clock, driven cycle by cycle. Popped messages stay with their
 * consumer until acknowledged; unacknowledged ones come back through the POP retry topic after their invisible
 * time, then go to the dead-letter queue; a changed invisible time moves the message to a new receipt; the group's
 * committed offset follows; a restarted service rebuilds its state from the pop log.
 */
@Timeout(30)
class PopServiceTest {
    static final long T0 = 1_700_000_000_000L;
    static final byte[] HOST = {10, 0, 0, 7};

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(T0);
    final Map<String, Long> committed = new ConcurrentHashMap<>();
    MessageStore store;
    final List<PopService> services = new ArrayList<>();
    final Set<String> topics = new HashSet<>();

    @BeforeEach
    void open() {
        store = TestStores.started(dir.resolve("store"), now::get);
    }

    @AfterEach
    void close() {
        store.close();
    }

    PopService service(int maxReconsume) {
        PopService s = new PopService(store, now::get, HOST, 10911, new PopService.Offsets() {
            @Override
            public long get(String group, String topic, int queueId) {
                return committed.getOrDefault(group + "/" + topic + "/" + queueId, -1L);
            }

            @Override
            public void commit(String group, String topic, int queueId, long offset) {
                committed.put(group + "/" + topic + "/" + queueId, offset);
            }
        }, g -> maxReconsume, topics::add, dir.resolve("pop-progress.json"));
        s.beforeStart();
        services.add(s);
        return s;
    }

    void send(String topic, int queueId, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).bornTimestamp(T0).storeHost(HOST).storePort(10911);
        d.body(b, 0, b.length);
        Map<String, String> props = Map.of(MessageProperties.UNIQ_KEY, "U-" + body, MessageProperties.TAGS, "A");
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        assertThat(store.put(List.of(d), true).join().isStored()).isTrue();
    }

    /** Runs cycles until {@code f} completes. */
    static <T> T await(PopService s, CompletableFuture<T> f) throws Exception {
        for (int i = 0; i < 2_000 && !f.isDone(); i++) {
            s.doWork();
            Thread.sleep(1);
        }
        s.doWork(); // the bookkeeping that follows the answer
        return f.get();
    }

    static PopService.Request pop(int max, long invisible) {
        return new PopService.Request("G", "T", -1, 2, max, invisible, true, MessageFilter.ALL, false);
    }

    static List<String> bodies(PopService.Popped p) {
        List<String> out = new ArrayList<>();
        for (PopService.QueuePop q : p.queues()) {
            for (ByteBuffer b : q.records()) {
                out.add(new String(MessageRecord.decode(b, 0).body, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static PopLedger.CheckpointId id(PopService.QueuePop q, PopService.Popped p) {
        return new PopLedger.CheckpointId(new PopLedger.Queue("G", q.realTopic(), q.queueId()), q.startOffset(),
            p.popTime());
    }

    @Test
    void poppedMessagesStayAwayUntilAcknowledgedAndTheCommittedOffsetFollows() throws Exception {
        PopService s = service(16);
        for (int i = 0; i < 4; i++) {
            send("T", i % 2, "m" + i);
        }
        PopService.Popped first = await(s, s.pop(pop(3, 60_000)));
        assertThat(first.count()).isEqualTo(3);
        PopService.Popped second = await(s, s.pop(pop(32, 60_000)));
        assertThat(bodies(second)).as("only what the first pop left").hasSize(1);
        assertThat(await(s, s.pop(pop(32, 60_000))).count()).as("everything is invisible now").isZero();
        for (PopService.Popped p : List.of(first, second)) {
            for (PopService.QueuePop q : p.queues()) {
                for (long o : q.offsets()) {
                    assertThat(await(s, s.ack(id(q, p), o))).isTrue();
                    assertThat(await(s, s.ack(id(q, p), o))).as("twice").isFalse();
                }
            }
        }
        now.addAndGet(1_000);
        s.doWork(); // commits
        assertThat(committed).containsEntry("G/T/0", 2L).containsEntry("G/T/1", 2L);
        now.addAndGet(120_000);
        s.doWork();
        assertThat(StoredMessages.read(store, PopService.retryTopic("G", "T"), 0)).as("nothing to redeliver").isEmpty();
    }

    @Test
    void aFifoPopHoldsItsQueueAndWhatWasNotAcknowledgedComesBackInOrderWithItsCount() throws Exception {
        PopService s = service(16);
        for (int i = 0; i < 4; i++) {
            send("T", 0, "f" + i);
        }
        PopService.Request fifo = new PopService.Request("G", "T", 0, 2, 2, 10_000, true, MessageFilter.ALL, true);
        PopService.Popped first = await(s, s.pop(fifo));
        assertThat(bodies(first)).containsExactly("f0", "f1");
        assertThat(first.queues().get(0).redeliveries()).containsExactly(0, 0);
        assertThat(await(s, s.pop(fifo)).count()).as("the queue is held until the batch is done").isZero();
        PopService.QueuePop q = first.queues().get(0);
        assertThat(await(s, s.ack(id(q, first), q.offsets()[0]))).isTrue(); // f1 is not acknowledged
        assertThat(await(s, s.pop(fifo)).count()).as("still held").isZero();
        now.addAndGet(10_001); // the checkpoint falls due; the pops below run the cycles that revive it
        PopService.Popped again = null;
        for (int i = 0; i < 50 && (again == null || again.count() == 0); i++) {
            again = await(s, s.pop(fifo));
        }
        assertThat(bodies(again)).as("f1 again, then f2, in order; never out of the retry topic").containsExactly("f1", "f2");
        assertThat(again.queues().get(0).redeliveries()).containsExactly(1, 0);
        assertThat(again.queues().get(0).retry()).isFalse();
        assertThat(io.quiver.broker.handler.PopHandlers.orderCountInfo(again)).isEqualTo("0 qo0%1 1;0 0 0");
    }

    @Test
    void unacknowledgedMessagesComeBackThroughTheRetryTopicThenGoToTheDeadLetterQueue() throws Exception {
        PopService s = service(1);
        send("T", 0, "lost");
        PopService.Popped p = await(s, s.pop(pop(32, 10_000)));
        assertThat(bodies(p)).containsExactly("lost");
        now.addAndGet(10_001);
        for (int i = 0; i < 50 && StoredMessages.read(store, PopService.retryTopic("G", "T"), 0).isEmpty(); i++) {
            s.doWork();
            Thread.sleep(2);
        }
        List<DecodedMessage> retried = StoredMessages.read(store, PopService.retryTopic("G", "T"), 0);
        assertThat(retried).hasSize(1);
        assertThat(retried.get(0).reconsumeTimes).isEqualTo(1);
        assertThat(retried.get(0).propertyMap()).containsEntry(MessageProperties.RETRY_TOPIC, "T")
            .containsEntry(MessageProperties.UNIQ_KEY, "U-lost");
        assertThat(topics).contains("%RETRY%G_T");

        PopService.Popped again = await(s, s.pop(pop(32, 10_000)));
        assertThat(bodies(again)).containsExactly("lost");
        assertThat(again.queues().get(0).retry()).isTrue();
        now.addAndGet(10_001);
        for (int i = 0; i < 50 && StoredMessages.read(store, "%DLQ%G", 0).isEmpty(); i++) {
            s.doWork();
            Thread.sleep(2);
        }
        assertThat(StoredMessages.read(store, "%DLQ%G", 0)).extracting(StoredMessages::text).containsExactly("lost");
        assertThat(topics).contains("%DLQ%G");
    }

    @Test
    void aGroupStartingFromTheLastOffsetGetsWhatArrivesAfterItsFirstPop() throws Exception {
        PopService s = service(16);
        send("T", 0, "old");
        PopService.Request fromLast = new PopService.Request("G", "T", 0, 1, 32, 60_000, false, MessageFilter.ALL, false);
        assertThat(await(s, s.pop(fromLast)).count()).as("what was there before is skipped").isZero();
        send("T", 0, "new");
        assertThat(bodies(await(s, s.pop(fromLast)))).containsExactly("new");
        PopService.Request other = new PopService.Request("H", "T", 1, 1, 32, 60_000, false, MessageFilter.ALL, false);
        assertThat(await(s, s.pop(other)).count()).as("an empty queue").isZero();
        send("T", 1, "later");
        assertThat(bodies(await(s, s.pop(other)))).as("arrived after the first pop of the empty queue")
            .containsExactly("later");
    }

    @Test
    void anOffsetResetMovesThePopsOfAGroupAndSurvivesARestart() throws Exception {
        PopService s = service(16);
        for (int i = 0; i < 3; i++) {
            send("T", 0, "r" + i);
        }
        PopService.Request one = new PopService.Request("G", "T", 0, 1, 32, 60_000, true, MessageFilter.ALL, false);
        PopService.Popped p = await(s, s.pop(one));
        PopService.QueuePop q = p.queues().get(0);
        for (long o : q.offsets()) {
            await(s, s.ack(id(q, p), o));
        }
        assertThat(await(s, s.pop(one)).count()).isZero();
        await(s, s.reset("G", "T", Map.of(0, 1L))); // an operator sends the group back to offset 1
        assertThat(bodies(await(s, s.pop(one)))).containsExactly("r1", "r2");
        PopService restarted = service(16);
        assertThat(restarted.openCheckpoints()).as("the pop after the reset is open again").isEqualTo(1);
        assertThat(await(restarted, restarted.pop(one)).count()).as("and invisible").isZero();
    }

    @Test
    void aChangedInvisibleTimeMovesTheMessageToANewReceipt() throws Exception {
        PopService s = service(16);
        send("T", 0, "slow");
        PopService.Popped p = await(s, s.pop(pop(32, 10_000)));
        PopService.QueuePop q = p.queues().get(0);
        now.addAndGet(5_000);
        PopService.Changed c = await(s, s.changeInvisible(id(q, p), q.offsets()[0], 60_000));
        assertThat(c.popTime()).isEqualTo(T0 + 5_000);
        assertThat(await(s, s.ack(id(q, p), q.offsets()[0]))).as("the old receipt is spent").isFalse();
        now.addAndGet(20_000); // past the first invisible time, not the new one
        s.doWork();
        Thread.sleep(20);
        s.doWork();
        assertThat(StoredMessages.read(store, PopService.retryTopic("G", "T"), 0)).isEmpty();
        PopLedger.CheckpointId fresh = new PopLedger.CheckpointId(id(q, p).queue(), q.offsets()[0], c.popTime());
        assertThat(await(s, s.ack(fresh, q.offsets()[0]))).isTrue();
    }

    @Test
    void aRestartedServiceRebuildsItsStateFromThePopLog() throws Exception {
        PopService s = service(16);
        send("T", 0, "a");
        send("T", 0, "b");
        PopService.Popped p = await(s, s.pop(pop(32, 60_000)));
        PopService.QueuePop q = p.queues().get(0);
        assertThat(await(s, s.ack(id(q, p), q.offsets()[0]))).isTrue();
        s.doWork();

        PopService restarted = service(16); // as after kill -9: nothing but the store and the progress file
        assertThat(restarted.openCheckpoints()).isEqualTo(1);
        assertThat(await(restarted, restarted.pop(pop(32, 60_000))).count()).as("b is still invisible").isZero();
        assertThat(await(restarted, restarted.ack(id(q, p), q.offsets()[0]))).as("a was acknowledged before").isFalse();
        assertThat(await(restarted, restarted.ack(id(q, p), q.offsets()[1]))).isTrue();
        assertThat(restarted.openCheckpoints()).isZero();
    }
}
