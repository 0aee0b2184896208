package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.quiver.protocol.message.MessageDraft;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unit tier: a closed (or not yet started) store refuses sends as SERVICE_NOT_AVAILABLE, and sends racing close() are all answered, none left hanging. */
@Timeout(120)
class StoreCloseTest {
    private static final int PRODUCERS = 8;

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private StoreConfig config(FlushMode mode) {
        return StoreConfig.defaults(dir).withMaxMessageBytes(256 * 1024).withSegmentBytes(4 * 1024 * 1024)
            .withFlushMode(mode);
    }

    private MessageStore open(FlushMode mode) {
        MessageStore s = new MessageStore(config(mode), now::get, () -> 0.10);
        s.start();
        return s;
    }

    @Test
    void aSendAfterCloseIsRefusedAtOnce() {
        MessageStore s = open(FlushMode.SYNC_FLUSH);
        assertThat(s.put(List.of(MessageStoreTest.draft("T", 0, "before", null)), true).join().status())
            .isEqualTo(PutResult.Status.PUT_OK);
        s.close();
        s.close(); // a second close does nothing

        List<Runnable> neverRun = new ArrayList<>();
        CompletableFuture<PutResult> f = s.put(List.of(MessageStoreTest.draft("T", 0, "after", null)), true, neverRun::add);
        assertThat(f).as("answered without the writer or the executor").isDone();
        PutResult r = f.join();
        assertThat(r.status()).isEqualTo(PutResult.Status.SERVICE_NOT_AVAILABLE);
        assertThat(r.remark()).contains("shutting down");
        assertThat(r.isStored()).isFalse();
        assertThat(r.firstQueueOffset()).isEqualTo(-1);
        assertThat(neverRun).isEmpty();
        assertThat(s.put(List.of(MessageStoreTest.draft("T", 0, "after", null)), false).join().status())
            .isEqualTo(PutResult.Status.SERVICE_NOT_AVAILABLE);
    }

    @Test
    void aSendBeforeStartIsRefused() {
        MessageStore s = new MessageStore(config(FlushMode.SYNC_FLUSH), now::get, () -> 0.10);
        PutResult r = s.put(List.of(MessageStoreTest.draft("T", 0, "early", null)), true).join();
        assertThat(r.status()).isEqualTo(PutResult.Status.SERVICE_NOT_AVAILABLE);
        assertThat(r.remark()).contains("not accepting writes");
        s.close();
    }

    @Test
    void theStoreReopensWithExactlyTheAcknowledgedSendsAfterAClose() {
        try (MessageStore s = open(FlushMode.SYNC_FLUSH)) {
            for (int i = 0; i < 10; i++) {
                s.put(List.of(MessageStoreTest.draft("T", 0, "m" + i, null)), true).join();
            }
        }
        try (MessageStore s = open(FlushMode.SYNC_FLUSH)) {
            assertThat(s.maxOffset("T", 0)).isEqualTo(10);
            assertThat(s.put(List.of(MessageStoreTest.draft("T", 0, "again", null)), true).join().firstQueueOffset())
                .isEqualTo(10);
        }
    }

    /**
     * Producers send as fast as they can while the store closes. Every future must complete (PUT_OK or
     * SERVICE_NOT_AVAILABLE), and after a restart the store holds exactly the records acknowledged PUT_OK.
     *
     * @param batch   drafts per send (larger batches widen the time between the store's writable check and
     *                the hand-over to the writer)
     * @param bodyLen bytes per body
     */
    @ParameterizedTest(name = "{0}, batch {1} x {2} B")
    @CsvSource({
        "SYNC_FLUSH, 1, 100",
        "ASYNC_FLUSH, 1, 100",
        "SYNC_FLUSH, 64, 4096",
        "ASYNC_FLUSH, 64, 4096"
    })
    void sendsRacingCloseAreAllAnswered(FlushMode mode, int batch, int bodyLen) throws Exception {
        MessageStore s = open(mode);
        ConcurrentLinkedQueue<CompletableFuture<PutResult>> futures = new ConcurrentLinkedQueue<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger stalled = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        String filler = "b".repeat(bodyLen);
        // Bounded sends in flight per producer: far below Appender.MAX_PENDING, so BUSY is never a fair answer.
        int inFlight = Math.max(4, 256 / batch);
        for (int t = 0; t < PRODUCERS; t++) {
            int queueId = t % 4;
            Thread p = new Thread(() -> {
                Semaphore permits = new Semaphore(inFlight);
                try {
                    go.await();
                    for (int i = 0; i < 1_000_000; i++) {
                        if (!permits.tryAcquire(15, TimeUnit.SECONDS)) {
                            stalled.incrementAndGet(); // earlier sends were never answered
                            return;
                        }
                        List<MessageDraft> drafts = new ArrayList<>(batch);
                        for (int k = 0; k < batch; k++) {
                            drafts.add(MessageStoreTest.draft("Race", queueId, i + "-" + k + filler, null));
                        }
                        CompletableFuture<PutResult> f = s.put(drafts, true);
                        futures.add(f);
                        f.whenComplete((r, e) -> {
                            permits.release();
                            if (r != null && r.status() == PutResult.Status.PUT_OK) {
                                acked.incrementAndGet();
                            }
                        });
                        if (f.isDone() && f.join().status() == PutResult.Status.SERVICE_NOT_AVAILABLE) {
                            return; // refused at the door: the store is closed
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "producer-" + t);
            producers.add(p);
            p.start();
        }
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acked.get() < 50 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(acked.get()).as("the producers got going before the close").isGreaterThanOrEqualTo(50);
        s.close();
        for (Thread p : producers) {
            p.join(30_000);
            assertThat(p.isAlive()).as("%s stopped once refused", p.getName()).isFalse();
        }

        Map<PutResult.Status, Integer> outcomes = new EnumMap<>(PutResult.Status.class);
        int hung = 0;
        long okRecords = 0;
        for (CompletableFuture<PutResult> f : futures) {
            PutResult r;
            try {
                r = f.get(hung == 0 ? 15 : 0, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                hung++;
                continue;
            } catch (ExecutionException e) {
                throw new AssertionError("a send failed exceptionally", e.getCause());
            }
            outcomes.merge(r.status(), 1, Integer::sum);
            if (r.status() == PutResult.Status.PUT_OK) {
                assertThat(r.queueOffsets()).hasSize(batch);
                okRecords += batch;
            }
        }
        assertThat(hung).as("of %d sends, %d were never answered after close() (the others: %s)",
            futures.size(), hung, outcomes).isZero();
        assertThat(stalled.get()).isZero();
        assertThat(outcomes.keySet()).as("outcomes %s", outcomes)
            .isSubsetOf(Set.of(PutResult.Status.PUT_OK, PutResult.Status.SERVICE_NOT_AVAILABLE));
        assertThat(outcomes).containsKey(PutResult.Status.SERVICE_NOT_AVAILABLE);

        try (MessageStore again = open(mode)) {
            long total = 0;
            for (int q = 0; q < 4; q++) {
                total += again.maxOffset("Race", q);
            }
            assertThat(total).as("records kept after the restart = records acknowledged PUT_OK").isEqualTo(okRecords);
        }
    }

    /**
     * Deterministic version of the race above: the sender is stopped (Thread.suspend, JDK 17) after the
     * store's writable check has passed but before its send reaches the writer, the store is closed, and
     * the sender resumed. Its future must still be answered.
     */
    @Test
    @SuppressWarnings({"deprecation", "removal"})
    void aSendCaughtBetweenTheWritableCheckAndTheHandOverIsStillAnswered() throws Exception {
        StoreConfig cfg = StoreConfig.defaults(dir).withSegmentBytes(64 * 1024 * 1024).withMaxMessageBytes(1024 * 1024)
            .withFlushMode(FlushMode.ASYNC_FLUSH);
        MessageStore s = new MessageStore(cfg, now::get, () -> 0.10);
        s.start();
        byte[] body = new byte[256 * 1024];
        List<MessageDraft> batch = new ArrayList<>();
        for (int k = 0; k < 100; k++) { // 25 MB of body CRCs computed between the check and the hand-over
            MessageDraft d = MessageStoreTest.draft("Race", 0, "x", null);
            d.body(body, 0, body.length);
            batch.add(d);
        }
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<PutResult>> sent =
            new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sender = new Thread(() -> {
            while (!stop.get()) {
                CompletableFuture<PutResult> f = s.put(batch, false);
                sent.set(f);
                if (f.join().status() != PutResult.Status.PUT_OK) {
                    return;
                }
            }
        }, "sender");
        sender.setDaemon(true); // left blocked on the unanswered future if the send is lost
        sender.start();
        boolean caught = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!caught && System.nanoTime() < deadline && sender.isAlive()) {
            if (insideTheHandOverWindow(sender.getStackTrace())) {
                try {
                    sender.suspend();
                } catch (UnsupportedOperationException e) {
                    stop.set(true);
                    s.close();
                    org.junit.jupiter.api.Assumptions.abort("Thread.suspend is not supported on this JDK");
                }
                if (insideTheHandOverWindow(sender.getStackTrace())) {
                    caught = true;
                } else {
                    sender.resume();
                }
            }
        }
        assertThat(caught).as("the sender was stopped inside put(), after the writable check").isTrue();
        stop.set(true);
        CompletableFuture<PutResult> before = sent.get();
        s.close();
        sender.resume();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() != before);
        CompletableFuture<PutResult> caughtSend = sent.get();
        PutResult r;
        try {
            r = caughtSend.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("a send that passed the writable check just before close() was queued for the "
                + "stopped writer and is never answered");
        }
        sender.join(5_000);
        assertThat(r.status()).isIn(PutResult.Status.SERVICE_NOT_AVAILABLE, PutResult.Status.PUT_OK);
        assertThat(sender.isAlive()).isFalse();
    }

    /** True while {@code stack} is in MessageStore.put computing body CRCs: past check(), before the hand-over. */
    private static boolean insideTheHandOverWindow(StackTraceElement[] stack) {
        boolean inCrc = false;
        for (StackTraceElement e : stack) {
            if (e.getClassName().equals(MessageDraft.class.getName()) && e.getMethodName().equals("bodyCrc")) {
                inCrc = true;
            }
            if (inCrc && e.getClassName().equals(MessageStore.class.getName()) && e.getMethodName().equals("put")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void retentionAfterCloseReturnsInsteadOfWaitingForTheStoppedWriter() {
        StoreConfig c = config(FlushMode.SYNC_FLUSH).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withRetention(new RetentionConfig(3_600_000L, Set.of(), 0.75, 0.85, 0.90));
        double[] ratio = {0.10};
        MessageStore s = new MessageStore(c, now::get, () -> ratio[0]);
        s.start();
        for (int i = 0; i < 24; i++) {
            s.put(List.of(MessageStoreTest.draft("T", i % 2, "m" + i + "x".repeat(30_000), null)), false).join();
        }
        now.addAndGet(2 * 3_600_000L);
        s.put(List.of(MessageStoreTest.draft("T", 0, "fresh", null)), false).join();
        s.close();
        ratio[0] = 0.80; // disk pressure: a retention pass would delete the expired segments

        // e.g. a maintenance pass that was already running when close() shut the maintenance thread down
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                s.runRetention();
            } catch (RuntimeException refused) {
                // refusing is fine; waiting forever is not
            }
        }, "runRetention() after close() waits forever for a task the stopped writer never runs");
    }
}
