package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the disk figures operators see, and the floor in bytes that protects small volumes. */
@Timeout(60)
class DiskSpaceTest {
    @TempDir
    Path dir;

    private volatile double ratio = 0.20;
    private volatile long available = 10L << 30;

    @Test
    void theUsedRatioIsTheOneDfShows() throws Exception {
        Process df = new ProcessBuilder("df", "--output=used,avail", "-B1", dir.toString()).start();
        String[] lines = new String(df.getInputStream().readAllBytes()).trim().split("\n");
        assumeThat(df.waitFor()).as("df is available").isZero();
        String[] figures = lines[lines.length - 1].trim().split("\\s+");
        double used = Double.parseDouble(figures[0]);
        double avail = Double.parseDouble(figures[1]);
        double dfRatio = used / (used + avail);

        DiskSpace space = DiskSpace.of(dir);
        assertThat(space.usedRatio()).isCloseTo(dfRatio, org.assertj.core.data.Offset.offset(0.01));
        assertThat((double) space.availableBytes()).isCloseTo(avail, org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void writesAreRefusedBelowTheFloorInBytesAndResumeAboveIt() {
        StoreConfig c = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withRetention(new RetentionConfig(3_600_000L, Set.of(), 0.75, 1.0, 0.90, 512L << 20));
        DiskSpace space = new DiskSpace() {
            @Override
            public double usedRatio() {
                return ratio;
            }

            @Override
            public long availableBytes() {
                return available;
            }
        };
        try (MessageStore s = new MessageStore(c, Clock.SYSTEM, space)) {
            s.start();
            assertThat(put(s, "before").status()).isEqualTo(PutResult.Status.PUT_OK);

            available = 300L << 20; // 20 % used, but only 300 MiB left: below the 512 MiB floor
            s.refreshDiskUsage();
            PutResult refused = put(s, "refused");
            assertThat(refused.status()).isEqualTo(PutResult.Status.DISK_FULL);
            assertThat(refused.remark()).contains("20% full").contains("300 MiB available").contains("diskMinFreeBytes")
                .contains("512 MiB");
            assertThat(s.maxOffset("T", 0)).as("nothing of the refused send is stored").isEqualTo(1);

            available = 600L << 20;
            s.refreshDiskUsage();
            assertThat(put(s, "after").status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(s.maxOffset("T", 0)).isEqualTo(2);
        }
    }

    private static PutResult put(MessageStore s, String body) {
        return s.put(List.of(MessageStoreTest.draft("T", 0, body, null)), true).join();
    }
}
