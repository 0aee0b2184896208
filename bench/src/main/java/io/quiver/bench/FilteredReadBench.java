package io.quiver.bench;

import io.quiver.broker.filter.SqlFilter;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.Clock;
import io.quiver.store.FlushMode;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.StoreConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Bench tier: one pull's worth of filtered reading (32 matching records) from a queue where a quarter of
 * the messages match: by tag hash (no record read for non-matches) and by an SQL92 expression evaluated
 * over each record's properties. Reports pulls per second; messages per second = 32 × that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class FilteredReadBench {
    static final int MESSAGES = 80_000;

    private Path dir;
    private MessageStore store;
    private long next;
    private MessageFilter tagFilter;
    private MessageFilter sqlFilter;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = Files.createTempDirectory("quiver-bench-filter-");
        store = new MessageStore(StoreConfig.defaults(dir).withSegmentBytes(256 * 1024 * 1024)
            .withFlushMode(FlushMode.ASYNC_FLUSH), Clock.SYSTEM);
        store.start();
        byte[] body = new byte[1024];
        String[] tags = {"TagA", "TagB", "TagC", "TagD"};
        for (int i = 0; i < MESSAGES; i++) {
            MessageDraft d = new MessageDraft();
            d.topic("FilterTopic");
            d.body(body, 0, body.length);
            d.storePort(10911);
            String tag = tags[i % 4];
            d.properties("TAGS\u0001" + tag + "\u0002region\u0001" + (i % 4 == 0 ? "eu" : "us") + "\u0002amount\u0001" + i);
            d.tagsCode(tag.hashCode());
            store.put(List.of(d), false).join();
        }
        int tagA = "TagA".hashCode();
        tagFilter = code -> code == tagA;
        SqlFilter sql = SqlFilter.compile("region = 'eu' AND amount >= 0");
        sqlFilter = new MessageFilter() {
            @Override
            public boolean matchesTagsCode(long tagsCode) {
                return true;
            }

            @Override
            public boolean matchesRecord(ByteBuffer record) {
                return sql.matches(MessageProperties.parse(MessageRecord.propertiesOf(record)));
            }
        };
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int read(MessageFilter f) {
        long offset = next;
        GetResult r = store.get("FilterTopic", 0, offset, 32, 0, f);
        next = r.nextBeginOffset() >= MESSAGES - 200 ? 0 : r.nextBeginOffset();
        return r.records().size();
    }

    @Benchmark
    public int tagFilteredPull() {
        return read(tagFilter);
    }

    @Benchmark
    public int sqlFilteredPull() {
        return read(sqlFilter);
    }
}
