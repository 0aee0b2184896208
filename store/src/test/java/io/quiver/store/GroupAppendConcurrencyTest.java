package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: the single writer's group append gives dense, per-producer-ordered queue offsets under 8 concurrent producers, and every body reads back exactly once. */
@Timeout(180)
class GroupAppendConcurrencyTest {
    private static final String TOPIC = "Group";
    private static final int THREADS = 8;
    private static final int PUTS_PER_THREAD = 500;
    private static final int QUEUES = 4;

    @TempDir
    Path dir;

    /** What one acknowledged send reported. */
    private record Sent(int thread, int seq, String body, int queueId, long queueOffset, long commitLogOffset) {}

    @ParameterizedTest
    @EnumSource(FlushMode.class)
    void concurrentSingleMessageSendsGetDenseOffsetsAndReadBackExactlyOnceInOrder(FlushMode mode) throws Exception {
        // 256 KiB segments: 4 000 records of ~130 bytes roll the commit log while the producers race.
        StoreConfig cfg = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withFlushMode(mode);
        try (MessageStore s = new MessageStore(cfg, Clock.SYSTEM, () -> 0.10)) {
            s.start();
            @SuppressWarnings("unchecked")
            List<CompletableFuture<PutResult>>[] futures = new List[THREADS];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures[t] = new ArrayList<>(PUTS_PER_THREAD);
                Thread p = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 0; i < PUTS_PER_THREAD; i++) {
                        int queueId = (thread + i) % QUEUES;
                        futures[thread].add(s.put(List.of(
                            MessageStoreTest.draft(TOPIC, queueId, body(thread, i), null)), true));
                    }
                }, "producer-" + t);
                producers.add(p);
                p.start();
            }
            go.countDown();
            for (Thread p : producers) {
                p.join(60_000);
                assertThat(p.isAlive()).as("%s finished sending", p.getName()).isFalse();
            }

            List<Sent> sent = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                assertThat(futures[t]).hasSize(PUTS_PER_THREAD);
                for (int i = 0; i < PUTS_PER_THREAD; i++) {
                    PutResult r = futures[t].get(i).get(30, TimeUnit.SECONDS);
                    assertThat(r.status()).as("send %d of producer %d: %s", i, t, r.remark())
                        .isEqualTo(PutResult.Status.PUT_OK);
                    assertThat(r.queueOffsets()).hasSize(1);
                    assertThat(r.commitLogOffsets()).hasSize(1);
                    sent.add(new Sent(t, i, body(t, i), (t + i) % QUEUES, r.queueOffsets()[0], r.commitLogOffsets()[0]));
                }
            }

            Set<Long> commitLogOffsets = new HashSet<>();
            sent.forEach(x -> commitLogOffsets.add(x.commitLogOffset()));
            assertThat(commitLogOffsets).as("every record has its own commit-log offset").hasSize(THREADS * PUTS_PER_THREAD);

            for (int q = 0; q < QUEUES; q++) {
                int queueId = q;
                List<Sent> inQueue = sent.stream().filter(x -> x.queueId() == queueId).toList();
                int n = inQueue.size();
                assertThat(n).isEqualTo(THREADS * PUTS_PER_THREAD / QUEUES);

                // Queue offsets are exactly 0..n-1: no gap, no duplicate.
                Map<Long, Sent> byOffset = new HashMap<>();
                for (Sent x : inQueue) {
                    Sent dup = byOffset.put(x.queueOffset(), x);
                    assertThat(dup).as("queue %d offset %d given twice", queueId, x.queueOffset()).isNull();
                }
                for (long o = 0; o < n; o++) {
                    assertThat(byOffset).as("queue %d has offset %d", queueId, o).containsKey(o);
                }
                assertThat(s.maxOffset(TOPIC, queueId)).isEqualTo(n);

                // One producer's sends to one queue keep their order (a FIFO into one writer).
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    List<Long> offsets = inQueue.stream().filter(x -> x.thread() == thread)
                        .sorted((a, b) -> Integer.compare(a.seq(), b.seq())).map(Sent::queueOffset).toList();
                    assertThat(offsets).as("producer %d into queue %d", thread, queueId).isSorted();
                }

                // Reading the queue back returns each body once, in queue-offset order, with the
                // commit-log offsets the sends were given, strictly increasing.
                List<DecodedMessage> read = readAll(s, queueId, n);
                assertThat(read).hasSize(n);
                long lastCommitLogOffset = -1;
                for (int o = 0; o < n; o++) {
                    DecodedMessage m = read.get(o);
                    Sent expected = byOffset.get((long) o);
                    assertThat(m.queueOffset).isEqualTo(o);
                    assertThat(m.queueId).isEqualTo(queueId);
                    assertThat(m.topic).isEqualTo(TOPIC);
                    assertThat(new String(m.body, StandardCharsets.UTF_8)).isEqualTo(expected.body());
                    assertThat(m.physicalOffset).isEqualTo(expected.commitLogOffset());
                    assertThat(m.physicalOffset).as("commit-log offset at queue %d offset %d", queueId, o)
                        .isGreaterThan(lastCommitLogOffset);
                    lastCommitLogOffset = m.physicalOffset;
                }
            }
            assertThat(s.commitLogWritePosition()).as("the test rolled the commit log").isGreaterThan(256 * 1024);
        }
    }

    private static String body(int thread, int seq) {
        return "t" + thread + "-m" + seq;
    }

    private static List<DecodedMessage> readAll(MessageStore s, int queueId, int n) {
        List<DecodedMessage> out = new ArrayList<>();
        long next = 0;
        while (next < n) {
            GetResult r = s.get(TOPIC, queueId, next, 300, 0, MessageFilter.ALL);
            try {
                assertThat(r.status()).as("read of queue %d at %d", queueId, next).isEqualTo(GetResult.Status.FOUND);
                for (ByteBuffer b : r.records()) {
                    out.add(MessageRecord.decode(b, 0));
                }
                assertThat(r.nextBeginOffset()).isGreaterThan(next);
                next = r.nextBeginOffset();
            } finally {
                r.release();
            }
        }
        return out;
    }
}
