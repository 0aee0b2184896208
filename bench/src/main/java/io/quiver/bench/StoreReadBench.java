package io.quiver.bench;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.store.Clock;
import io.quiver.store.FlushMode;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bench tier: reading batches of 32 stored 1 KiB messages (what one pull does, without the network), and
 * the crash-recovery scan speed (records verified per second over a 64 MiB log).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class StoreReadBench {
    static final int MESSAGES = 60_000;

    private Path dir;
    private MessageStore store;
    private long next;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("quiver-bench-read-");
        store = new MessageStore(StoreConfig.defaults(dir).withSegmentBytes(128 * 1024 * 1024)
            .withFlushMode(FlushMode.ASYNC_FLUSH), Clock.SYSTEM);
        store.start();
        byte[] body = new byte[1024];
        for (int i = 0; i < MESSAGES; i++) {
            MessageDraft d = new MessageDraft();
            d.topic("ReadTopic");
            d.body(body, 0, body.length);
            d.storePort(10911);
            store.put(List.of(d), false).join();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One pull's worth: 32 records located, CRC-verified and sliced (no copy). */
    @Benchmark
    public int readBatchOf32() {
        long offset = next;
        next = (offset + 32) % (MESSAGES - 32);
        GetResult r = store.get("ReadTopic", 0, offset, 32, 0, MessageFilter.ALL);
        return r.records().size();
    }
}
