package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: retention and disk-full behaviour with a fake clock and a fake disk. */
@Timeout(60)
class RetentionTest {
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private volatile double diskRatio = 0.10;

    private MessageStore open(Set<Integer> deleteHours) {
        StoreConfig c = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withRetention(new RetentionConfig(72 * HOUR, deleteHours, 0.75, 0.85, 0.90));
        MessageStore s = new MessageStore(c, now::get, () -> diskRatio);
        s.start();
        return s;
    }

    /** Fills about {@code segments} commit-log segments with 30 KiB messages on queues 0 and 1. */
    private static void fill(MessageStore s, int messages) {
        for (int i = 0; i < messages; i++) {
            s.put(List.of(MessageStoreTest.draft("T", i % 2, "m" + i + "-" + "x".repeat(30_000), null)), false).join();
        }
    }

    private long segmentFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("commitlog"))) {
            return s.count();
        }
    }

    @Test
    void expiredSegmentsAreDeletedUnderDiskPressureAndStaleReadersMoveOn() throws Exception {
        try (MessageStore s = open(Set.of())) {
            fill(s, 24); // about three 256 KiB segments
            now.addAndGet(80 * HOUR);
            fill(s, 8); // fresh data in the active segment
            long segmentsBefore = segmentFiles();
            assertThat(segmentsBefore).isGreaterThanOrEqualTo(4);

            assertThat(s.runRetention()).as("no deletion hour configured and the disk is nearly empty").isZero();
            diskRatio = 0.80; // above the clean ratio: expired segments go at any hour
            int deleted = s.runRetention();
            assertThat(deleted).isPositive();
            assertThat(segmentFiles()).isEqualTo(segmentsBefore - deleted);
            assertThat(s.commitLogMinOffset()).isPositive();

            long min0 = s.minOffset("T", 0);
            assertThat(min0).isPositive();
            GetResult stale = s.get("T", 0, 0, 10, 0, MessageFilter.ALL);
            assertThat(stale.status()).isEqualTo(GetResult.Status.OFFSET_TOO_SMALL);
            assertThat(stale.nextBeginOffset()).isEqualTo(min0);
            GetResult fresh = s.get("T", 0, min0, 100, 0, MessageFilter.ALL);
            assertThat(fresh.status()).isEqualTo(GetResult.Status.FOUND);
            assertThat(fresh.records()).isNotEmpty();
            assertThat(s.storeTimestamp("T", 0, min0)).isPositive();
        }
        try (MessageStore again = open(Set.of())) {
            assertThat(again.minOffset("T", 0)).as("min offset survives a restart").isPositive();
            assertThat(again.get("T", 0, again.minOffset("T", 0), 1, 0, MessageFilter.ALL).status())
                .isEqualTo(GetResult.Status.FOUND);
        }
    }

    @Test
    void unexpiredSegmentsStayUnlessTheDiskIsCritical() throws Exception {
        try (MessageStore s = open(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23))) {
            fill(s, 24);
            now.addAndGet(HOUR); // young data
            assertThat(s.runRetention()).isZero();
            diskRatio = 0.86; // above the forcible ratio: the oldest segment goes even though it is young
            assertThat(s.runRetention()).isEqualTo(1);
        }
    }

    @Test
    void aFullDiskRefusesWritesKeepsReadsAndResumesByItself() {
        try (MessageStore s = open(Set.of())) {
            fill(s, 4);
            diskRatio = 0.93;
            s.refreshDiskUsage();
            PutResult refused = s.put(List.of(MessageStoreTest.draft("T", 0, "no room", null)), true).join();
            assertThat(refused.status()).isEqualTo(PutResult.Status.DISK_FULL);
            assertThat(refused.remark()).contains("93% full").contains("90%").contains("resume");
            assertThat(s.get("T", 0, 0, 10, 0, MessageFilter.ALL).records()).hasSize(2);
            long max = s.maxOffset("T", 0);

            diskRatio = 0.50;
            s.refreshDiskUsage();
            PutResult ok = s.put(List.of(MessageStoreTest.draft("T", 0, "room again", null)), true).join();
            assertThat(ok.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(ok.firstQueueOffset()).isEqualTo(max);
        }
    }
}
