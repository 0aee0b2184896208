package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: {@link ConsumeQueue#seal} leaves no empty entry below a queue's end, so the next start (which
 * finds the end as the first empty entry) sees every entry recovery kept.
 */
class ConsumeQueueSealTest {
    @TempDir
    Path dir;

    /** Entry n of these queues points at commit-log offset 1 000 * n, 100 bytes. */
    private static void fill(ConsumeQueue cq, int count) {
        for (int n = 0; n < count; n++) {
            cq.append(1_000L * n, 100, n);
        }
    }

    @Test
    void emptyAndFalseEntriesBelowTheLastGoodOneBecomeHolesAndThoseAfterItAreDropped() {
        ConsumeQueue cq = new ConsumeQueue(Disk.LOCAL, "T", 0, dir, 1_000);
        // 0..9 before the scan start (trusted); 10..12 empty (their records were damaged, their page lost);
        // 13..15 good; 16 false (points at another record); 17 empty; 18 false.
        for (int n = 0; n < 19; n++) {
            boolean empty = n >= 10 && n <= 12 || n == 17;
            cq.append(empty ? 0 : 1_000L * n, empty ? 0 : 100, n);
        }
        Set<Long> good = new HashSet<>(Set.of(13L, 14L, 15L));
        Set<Long> judged = new HashSet<>();

        int holes = cq.seal(10_000, (o, e) -> {
            judged.add(o);
            return good.contains(o) && e.commitLogOffset == 1_000L * o;
        });

        assertThat(holes).isEqualTo(3);
        assertThat(cq.maxOffset()).as("dropped after the last good entry").isEqualTo(16);
        assertThat(judged).as("only entries from the scan start on are judged, and only written ones")
            .containsExactlyInAnyOrder(13L, 14L, 15L, 16L, 18L);
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        for (long o = 0; o < 16; o++) {
            assertThat(cq.read(o, e)).isTrue();
            assertThat(e.size).as("entry %d written", o).isPositive();
            if (o >= 10 && o <= 12) {
                assertThat(e.commitLogOffset).as("hole %d points at the next good record", o).isEqualTo(13_000);
            } else {
                assertThat(e.commitLogOffset).isEqualTo(1_000L * o);
            }
        }
        cq.flush();
        cq.close();

        ConsumeQueue again = new ConsumeQueue(Disk.LOCAL, "T", 0, dir, 1_000);
        again.load();
        assertThat(again.maxOffset()).as("the next start finds the same end").isEqualTo(16);
        again.close();
    }

    @Test
    void aQueueWithNothingGoodAfterItsTrustedEntriesEndsThere() {
        ConsumeQueue cq = new ConsumeQueue(Disk.LOCAL, "T", 0, dir, 1_000);
        fill(cq, 12); // 0..7 before the scan start at 8 000; 8..11 point past the recovered end

        int holes = cq.seal(8_000, (o, e) -> false);

        assertThat(holes).isZero();
        assertThat(cq.maxOffset()).isEqualTo(8);
        cq.close();
    }

    @Test
    void aQueueWhollyAfterTheScanStartIsJudgedFromItsFirstEntry() {
        ConsumeQueue cq = new ConsumeQueue(Disk.LOCAL, "T", 0, dir, 1_000);
        fill(cq, 5);
        cq.truncateEntries(0);
        cq.append(0, 0, 0); // entry 0 empty
        cq.append(1_000, 100, 1);

        int holes = cq.seal(0, (o, e) -> o == 1);

        assertThat(holes).isEqualTo(1);
        assertThat(cq.maxOffset()).isEqualTo(2);
        ConsumeQueue.Entry e = new ConsumeQueue.Entry();
        assertThat(cq.read(0, e)).isTrue();
        assertThat(e.commitLogOffset).isEqualTo(1_000);
        assertThat(e.size).isEqualTo(100);
        cq.close();
    }
}
