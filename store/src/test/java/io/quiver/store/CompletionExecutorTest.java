package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unit tier: put(drafts, waitDurable, executor) completes its future only by a task run on the caller's executor, never on the store's own threads. */
@Timeout(60)
class CompletionExecutorTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private MessageStore open(FlushMode mode) {
        StoreConfig cfg = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withFlushMode(mode);
        MessageStore s = new MessageStore(cfg, now::get, () -> 0.10);
        s.start();
        return s;
    }

    /** Hands tasks to the test instead of running them, noting which thread handed each one over. */
    private static final class HeldExecutor implements Executor {
        final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        final List<String> handedOverBy = new CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable task) {
            handedOverBy.add(Thread.currentThread().getName());
            tasks.add(task);
        }
    }

    @ParameterizedTest
    @CsvSource({"SYNC_FLUSH, true", "SYNC_FLUSH, false", "ASYNC_FLUSH, true", "ASYNC_FLUSH, false"})
    void theFutureStaysOpenUntilTheCallersExecutorRunsTheCompletionTask(FlushMode mode, boolean waitDurable)
        throws Exception {
        try (MessageStore s = open(mode)) {
            HeldExecutor executor = new HeldExecutor();
            CompletableFuture<PutResult> f = s.put(List.of(MessageStoreTest.draft("T", 0, "x", null)), waitDurable, executor);

            Runnable task = executor.tasks.poll(10, TimeUnit.SECONDS);
            assertThat(task).as("the store hands one completion task to the executor").isNotNull();
            assertThat(f).as("nothing completes the future but the executor's task").isNotDone();
            // The hand-over happens on a store thread: the writer, or the flush owner when the send waits for the disk.
            boolean viaFlush = mode == FlushMode.SYNC_FLUSH && waitDurable;
            assertThat(executor.handedOverBy).hasSize(1);
            if (viaFlush) {
                assertThat(executor.handedOverBy.get(0)).isIn("quiver-flush", "quiver-append");
            } else {
                assertThat(executor.handedOverBy.get(0)).isEqualTo("quiver-append");
            }

            AtomicReference<String> dependentRanOn = new AtomicReference<>();
            CompletableFuture<Void> dependent = f.thenAccept(r -> dependentRanOn.set(Thread.currentThread().getName()));
            Thread caller = new Thread(task, "caller");
            caller.start();
            caller.join(10_000);

            assertThat(f).isDone();
            assertThat(f.join().status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(dependent).isDone();
            assertThat(dependentRanOn.get()).as("a dependent action runs on the thread that ran the task").isEqualTo("caller");
            assertThat(executor.tasks.poll(200, TimeUnit.MILLISECONDS)).as("exactly one task per send").isNull();
        }
    }

    @ParameterizedTest
    @CsvSource({"SYNC_FLUSH", "ASYNC_FLUSH"})
    void dependentActionsRunOnTheCallersSingleThreadExecutor(FlushMode mode) throws Exception {
        AtomicInteger executed = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller"));
        Executor counting = task -> {
            executed.incrementAndGet();
            pool.execute(task);
        };
        try (MessageStore s = open(mode)) {
            // Keep the caller's thread busy so the completion task queues behind this one; the dependent
            // below is then attached before the future can complete.
            CountDownLatch gate = new CountDownLatch(1);
            counting.execute(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<PutResult> f = s.put(List.of(MessageStoreTest.draft("T", 1, "y", "TagY")), true, counting);
            AtomicReference<String> ranOn = new AtomicReference<>();
            CompletableFuture<Void> dependent = f.thenAccept(r -> ranOn.set(Thread.currentThread().getName()));
            // Wait until the store has handed over its task (2 = the gate + the completion).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (executed.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(executed.get()).isEqualTo(2);
            assertThat(f).as("the caller's thread has not run the completion yet").isNotDone();
            gate.countDown();

            dependent.get(10, TimeUnit.SECONDS);
            assertThat(ranOn.get()).isEqualTo("caller");
            assertThat(f.join().status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(f.join().firstQueueOffset()).isZero();
            assertThat(executed.get()).as("one completion task per send").isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manySendsEachCompleteExactlyOnceThroughTheirOwnExecutor() throws Exception {
        try (MessageStore s = open(FlushMode.SYNC_FLUSH)) {
            int sends = 200;
            AtomicInteger[] counts = new AtomicInteger[sends];
            @SuppressWarnings("unchecked")
            CompletableFuture<PutResult>[] fs = new CompletableFuture[sends];
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "caller-pool"));
            try {
                for (int i = 0; i < sends; i++) {
                    AtomicInteger c = counts[i] = new AtomicInteger();
                    fs[i] = s.put(List.of(MessageStoreTest.draft("T", i % 3, "m" + i, null)), true, task -> {
                        c.incrementAndGet();
                        pool.execute(task);
                    });
                }
                for (int i = 0; i < sends; i++) {
                    assertThat(fs[i].get(10, TimeUnit.SECONDS).status()).isEqualTo(PutResult.Status.PUT_OK);
                    assertThat(counts[i].get()).as("send %d", i).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aRejectingExecutorStillGetsItsFutureCompleted() throws Exception {
        ExecutorService gone = Executors.newSingleThreadExecutor();
        gone.shutdown(); // like a closed connection's event loop: execute() throws
        try (MessageStore s = open(FlushMode.SYNC_FLUSH)) {
            PutResult r = s.put(List.of(MessageStoreTest.draft("T", 0, "z", null)), true, gone).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(s.maxOffset("T", 0)).isEqualTo(1);
        }
    }

    @Test
    void refusedSendsAreAnsweredAtOnceWithoutTheExecutor() {
        try (MessageStore s = open(FlushMode.SYNC_FLUSH)) {
            HeldExecutor executor = new HeldExecutor();
            CompletableFuture<PutResult> f = s.put(List.of(), true, executor);
            assertThat(f).isDone();
            assertThat(f.join().status()).isEqualTo(PutResult.Status.MESSAGE_ILLEGAL);
            assertThat(executor.handedOverBy).isEmpty();
        }
    }
}
