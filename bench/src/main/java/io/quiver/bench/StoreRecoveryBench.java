package io.quiver.bench;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.store.Clock;
import io.quiver.store.FlushMode;
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
 * Bench tier: crash-recovery time for a 64 MiB commit log (about 60 000 records of 1 KiB), scanned and
 * CRC-verified from offset 0 because the checkpoint is removed and the abort marker left in place.
 * MB/s = 64 / (reported seconds per recovery).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class StoreRecoveryBench {
    static final int LOG_BYTES = 64 * 1024 * 1024;

    private Path dir;
    private StoreConfig config;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("quiver-bench-recovery-");
        config = StoreConfig.defaults(dir).withSegmentBytes(256 * 1024 * 1024).withFlushMode(FlushMode.ASYNC_FLUSH);
        try (MessageStore store = new MessageStore(config, Clock.SYSTEM)) {
            store.start();
            byte[] body = new byte[1024];
            while (store.commitLogWritePosition() < LOG_BYTES) {
                MessageDraft d = new MessageDraft();
                d.topic("RecoveryTopic");
                d.queueId((int) (store.commitLogWritePosition() % 8));
                d.body(body, 0, body.length);
                d.storePort(10911);
                store.put(List.of(d), false).join();
            }
        }
    }

    @Setup(Level.Invocation)
    public void simulateCrash() throws IOException {
        Files.deleteIfExists(dir.resolve("checkpoint"));
        Files.write(dir.resolve("abort"), new byte[0]);
    }

    @Benchmark
    public long recover() {
        try (MessageStore store = new MessageStore(config, Clock.SYSTEM)) {
            store.start();
            return store.commitLogWritePosition();
        }
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
