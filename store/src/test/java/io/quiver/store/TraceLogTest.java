package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the trace log's writer, lookups, recovery after a crash, and its bounds. */
@Tag("unit")
class TraceLogTest {
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000);

    private TraceLog open(long maxBytes, long retentionMillis, int queue) {
        return new TraceLog(new TraceLog.Config(dir, SEGMENT, maxBytes, retentionMillis, queue), Disk.LOCAL, now::get);
    }

    private static TraceLog.Entry entry(long time, String payload, String... keys) {
        return new TraceLog.Entry(time, List.of(keys), payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> payloads(List<TraceLog.Entry> es) {
        return es.stream().map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
    }

    private static void drain(TraceLog t) {
        while (t.doWork() > 0) {
            // until the queue is empty
        }
    }

    @Test
    void entriesAreFoundByEachOfTheirKeysOldestFirstAndOnlyInTheirTimeRange() {
        TraceLog t = open(1 << 20, Long.MAX_VALUE / 2, 100);
        t.offer(entry(30, "third", "m1"));
        t.offer(entry(10, "first", "m1", "k:order-1"));
        t.offer(entry(20, "other", "m2", "k:order-1"));
        drain(t);

        assertThat(payloads(t.lookup("m1", 0, Long.MAX_VALUE, 10))).containsExactly("first", "third");
        assertThat(payloads(t.lookup("k:order-1", 0, Long.MAX_VALUE, 10))).containsExactly("first", "other");
        assertThat(payloads(t.lookup("m1", 15, 40, 10))).containsExactly("third");
        assertThat(t.lookup("m3", 0, Long.MAX_VALUE, 10)).isEmpty();
        assertThat(t.lookup("m1", 0, Long.MAX_VALUE, 1)).hasSize(1);
        assertThat(t.lookup("m1", 0, Long.MAX_VALUE, 10).get(0).keys()).containsExactly("m1", "k:order-1");
        t.onStop();
    }

    @Test
    void aRestartFindsWhatWasWrittenAndATornTailIsCutOff() throws IOException {
        TraceLog t = open(1 << 20, Long.MAX_VALUE / 2, 100);
        for (int i = 0; i < 50; i++) {
            t.offer(entry(100 + i, "e" + i, "m" + (i % 5)));
        }
        drain(t);
        t.onStop();

        // a crash while the last record was being written: its bytes are half there
        Path seg = dir.resolve("log").resolve(MappedSegment.fileName(0));
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT);
            int pos = 0;
            for (int i = 0; i < 49; i++) {
                pos += b.getInt(pos);
            }
            b.put(pos + 20, (byte) 0x7F); // the 50th record, damaged
        }
        Files.delete(dir.resolve("index").resolve(MappedSegment.fileName(0))); // and its index lost

        TraceLog again = open(1 << 20, Long.MAX_VALUE / 2, 100);
        again.doWork();
        assertThat(again.ready()).isTrue();
        assertThat(payloads(again.lookup("m4", 0, Long.MAX_VALUE, 100)))
            .containsExactly("e4", "e9", "e14", "e19", "e24", "e29", "e34", "e39", "e44");
        again.offer(entry(500, "after", "m4"));
        drain(again);
        assertThat(payloads(again.lookup("m4", 0, Long.MAX_VALUE, 100))).endsWith("e44", "after");
        assertThat(payloads(again.lookup("m0", 0, Long.MAX_VALUE, 100))).hasSize(10);
        again.onStop();
    }

    @Test
    void theOldestSegmentsGoWhenTheBoundIsPassedOrTheirEntriesAreTooOld() {
        long bound = 3L * (SEGMENT + IndexFile.fileBytes(512, 1024));
        TraceLog t = open(bound, 60_000, 10_000);
        String body = "x".repeat(400);
        for (int i = 0; i < 2_000; i++) {
            t.offer(entry(now.get() + i, body + i, "m" + i, "all"));
            drain(t);
        }
        assertThat(t.bytes()).isLessThanOrEqualTo(bound);
        assertThat(t.lookup("m0", 0, Long.MAX_VALUE, 10)).isEmpty();
        assertThat(payloads(t.lookup("m1999", 0, Long.MAX_VALUE, 10))).containsExactly(body + 1999);
        assertThat(Files.exists(dir.resolve("log").resolve(MappedSegment.fileName(0)))).isFalse();

        now.addAndGet(10 * 60_000); // ten minutes later, everything but the segment being written is too old
        t.doWork();
        t.doWork();
        now.addAndGet(TraceLog.RETENTION_EVERY_MILLIS);
        t.doWork();
        assertThat(t.bytes()).isEqualTo(SEGMENT + IndexFile.fileBytes(512, 1024));
        t.onStop();
    }

    @Test
    void aRoundOfManyEntriesIsWrittenInBatchesAcrossSegmentsAndEveryEntryIsFound() {
        TraceLog t = open(1 << 22, Long.MAX_VALUE / 2, 10_000);
        String body = "y".repeat(300);
        for (int i = 0; i < 1_000; i++) {
            t.offer(entry(i, body + i, "m" + i, "all"));
        }
        t.doWork(); // one round: about five segments' worth
        assertThat(t.written()).isEqualTo(1_000);
        assertThat(t.bytes()).isGreaterThan(4L * SEGMENT);
        for (int i = 0; i < 1_000; i += 37) {
            assertThat(payloads(t.lookup("m" + i, 0, Long.MAX_VALUE, 10))).as("entry " + i).containsExactly(body + i);
        }
        assertThat(t.lookup("all", 0, Long.MAX_VALUE, 5_000)).hasSize(1_000);
        assertThat(t.lookup("all", 0, Long.MAX_VALUE, 10)).hasSize(10);
        t.onStop();
    }

    @Test
    void aFullQueueOrAnOversizedEntryIsDroppedAndCountedNeverBlocking() {
        TraceLog t = open(1 << 20, Long.MAX_VALUE / 2, 3);
        for (int i = 0; i < 5; i++) {
            t.offer(entry(i, "e" + i, "m"));
        }
        assertThat(t.offer(new TraceLog.Entry(9, List.of("m"), new byte[TraceLog.MAX_RECORD_BYTES]))).isFalse();
        assertThat(t.dropped()).isEqualTo(3);
        drain(t);
        assertThat(t.written()).isEqualTo(3);
        assertThat(payloads(t.lookup("m", 0, Long.MAX_VALUE, 10))).containsExactly("e0", "e1", "e2");
        t.onStop();
    }

    @Test
    void segmentsOfAnotherSizeAreDeletedWithTheirIndexesAndTheStoreGoesOn() throws IOException {
        TraceLog t = open(1 << 22, Long.MAX_VALUE / 2, 10_000);
        for (int i = 0; i < 600; i++) {
            t.offer(entry(i, "z".repeat(300) + i, "m" + i));
        }
        t.doWork();
        t.onStop();
        assertThat(Files.list(dir.resolve("log")).count()).isGreaterThan(2);

        // the segment size setting changed from 64 KiB to 128 KiB: the old files cannot be used
        TraceLog again = new TraceLog(new TraceLog.Config(dir, 2 * SEGMENT, 1 << 22, Long.MAX_VALUE / 2, 100),
            Disk.LOCAL, now::get);
        again.doWork();
        assertThat(again.lookup("m1", 0, Long.MAX_VALUE, 10)).isEmpty();
        assertThat(Files.list(dir.resolve("index")).count()).as("no index without its segment").isZero();
        for (int i = 0; i < 600; i++) {
            again.offer(entry(i, "z".repeat(300) + i, "n" + i));
            if (i % 50 == 0) {
                again.doWork();
            }
        }
        again.doWork();
        assertThat(payloads(again.lookup("n599", 0, Long.MAX_VALUE, 10))).containsExactly("z".repeat(300) + 599);
        assertThat(payloads(again.lookup("n0", 0, Long.MAX_VALUE, 10))).containsExactly("z".repeat(300) + 0);
        again.onStop();
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> new TraceLog.Config(dir, 1024, 1 << 20, 1000, 10))
            .hasMessageContaining("at least 64 KiB");
        assertThatThrownBy(() -> new TraceLog.Config(dir, SEGMENT, SEGMENT, 1000, 10))
            .hasMessageContaining("two segments");
    }
}
