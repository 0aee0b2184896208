package io.quiver.bench;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.store.Clock;
import io.quiver.store.FlushMode;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import io.quiver.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bench tier: storing 1 KiB messages in SYNC_FLUSH (acknowledged after the force, group commit) and
 * ASYNC_FLUSH mode. Run with {@code -t 1}, {@code -t 16} or {@code -t 64} for concurrent senders; each
 * iteration prints the forces per second the flush thread made. Add {@code -prof gc} for bytes allocated
 * per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class StoreAppendBench {
    @Param({"SYNC_FLUSH", "ASYNC_FLUSH"})
    public String flushMode;

    @Param({"1024"})
    public int bodyBytes;

    private Path dir;
    private MessageStore store;
    private byte[] body;
    private long forcesAtStart;
    private long iterationStartNanos;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("quiver-bench-");
        store = new MessageStore(StoreConfig.defaults(dir).withSegmentBytes(256 * 1024 * 1024)
            .withFlushMode(FlushMode.valueOf(flushMode)), Clock.SYSTEM);
        store.start();
        body = new byte[bodyBytes];
        ThreadLocalRandom.current().nextBytes(body);
    }

    @Setup(Level.Iteration)
    public void markIteration() {
        forcesAtStart = store.forceCount();
        iterationStartNanos = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportForces() {
        double seconds = (System.nanoTime() - iterationStartNanos) / 1e9;
        System.out.printf("  [forces/s: %.0f]%n", (store.forceCount() - forcesAtStart) / seconds);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public PutResult put() {
        MessageDraft d = new MessageDraft();
        d.topic("BenchTopic");
        d.queueId(ThreadLocalRandom.current().nextInt(8));
        d.body(body, 0, body.length);
        d.bornTimestamp(System.currentTimeMillis());
        d.storePort(10911);
        d.properties("TAGS\u0001bench\u0002UNIQ_KEY\u0001" + Long.toHexString(System.nanoTime()));
        d.tagsCode(1);
        return store.put(List.of(d), true).join();
    }
}
