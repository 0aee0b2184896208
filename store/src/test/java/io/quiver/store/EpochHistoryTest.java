package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.store.EpochHistory.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the master-term history, its file, and where two logs stop agreeing. */
class EpochHistoryTest {
    @TempDir
    Path dir;

    private static Entry e(long epoch, long start, long id) {
        return new Entry(epoch, start, id);
    }

    @Test
    void termsSurviveAReloadAndADamagedFileIsAnEmptyHistory() throws Exception {
        Path f = dir.resolve("epochs");
        EpochHistory h = EpochHistory.load(Disk.LOCAL, f);
        assertThat(h.entries()).isEmpty();
        assertThat(h.last()).isNull();
        h.begin(0, 0xAL);
        h.begin(500, -1L); // ids are any 64 bits
        assertThat(EpochHistory.load(Disk.LOCAL, f).entries()).containsExactly(e(1, 0, 0xA), e(2, 500, -1L));

        Files.writeString(f, "quiver-epochs 1\n1 0 a\n2 x b\n", StandardCharsets.US_ASCII);
        assertThat(EpochHistory.load(Disk.LOCAL, f).entries()).isEmpty();
        Files.writeString(f, "quiver-epochs 1\n2 0 a\n1 10 b\n", StandardCharsets.US_ASCII); // out of order
        assertThat(EpochHistory.load(Disk.LOCAL, f).entries()).isEmpty();
    }

    @Test
    void aNewTermDropsTermsThatStartedBeyondItAndTheListIsBounded() {
        EpochHistory h = EpochHistory.load(Disk.LOCAL, dir.resolve("epochs"));
        h.begin(0, 1);
        h.begin(100, 2);
        h.begin(300, 3);
        h.begin(200, 4); // the log lost [200, ...): term 3 has no record left
        assertThat(h.entries()).containsExactly(e(1, 0, 1), e(2, 100, 2), e(4, 200, 4));
        for (int i = 0; i < EpochHistory.MAX_ENTRIES + 10; i++) {
            h.begin(1_000 + i, i);
        }
        assertThat(h.entries()).hasSize(EpochHistory.MAX_ENTRIES);
        assertThat(h.last().startOffset()).isEqualTo(1_000 + EpochHistory.MAX_ENTRIES + 9);
        assertThatThrownBy(() -> h.replace(List.of(e(2, 0, 1), e(2, 10, 2)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCommonPrefixEndsWhereTheNewestSharedTermEndsInEitherLog() {
        List<Entry> master = List.of(e(1, 0, 11), e(2, 1_000, 22), e(3, 1_500, 33));
        // the replica followed terms 1 and 2 and holds records of term 2 up to 1 800, which the master lost at 1 500
        List<Entry> replica = List.of(e(1, 0, 11), e(2, 1_000, 22));
        assertThat(EpochHistory.commonEnd(master, 2_000, replica, 1_800)).isEqualTo(1_500);
        // ... and one that is behind loses nothing
        assertThat(EpochHistory.commonEnd(master, 2_000, replica, 1_200)).isEqualTo(1_200);
        // a replica of the current term agrees up to its own end, never beyond the master's
        assertThat(EpochHistory.commonEnd(master, 2_000, master, 1_900)).isEqualTo(1_900);
        assertThat(EpochHistory.commonEnd(master, 2_000, master, 2_400)).isEqualTo(2_000);
        // the replica followed a term the master never had (another master of the group): back to the shared one
        List<Entry> elsewhere = List.of(e(1, 0, 11), e(2, 1_000, 22), e(3, 1_200, 99));
        assertThat(EpochHistory.commonEnd(master, 2_000, elsewhere, 1_900)).isEqualTo(1_200);
        // unrelated logs share no term even when numbers and offsets coincide
        assertThat(EpochHistory.commonEnd(master, 2_000, List.of(e(1, 0, 12)), 700)).isEqualTo(-1);
        // terms listed beyond the replica's end say nothing about its records
        List<Entry> ahead = new ArrayList<>(replica);
        ahead.add(e(7, 5_000, 77));
        assertThat(EpochHistory.commonEnd(master, 2_000, ahead, 1_800)).isEqualTo(1_500);
    }
}
