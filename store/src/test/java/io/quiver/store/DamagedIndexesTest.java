package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Unit tier: a damaged consume-queue entry in the newest file, or a damaged message-index file, is rebuilt
 * from the commit log at the next start, so no message becomes unreadable or unsearchable because of it.
 */
class DamagedIndexesTest {
    private final SimulatedDisk disk = new SimulatedDisk(new Random(1), 64L << 20);
    private final StoreConfig cfg = StoreSimulationTest.config(FlushMode.SYNC_FLUSH, 1000, 4096);
    private final StoreSimulationTest.FakeClock clock = new StoreSimulationTest.FakeClock();

    /** Stores 50 messages on T-0, each with key k{i}, and stops cleanly. */
    private void store50() {
        store(50);
    }

    /** Stores {@code n} messages on T-0, each with key k{i} (64 keys per index file), and stops cleanly. */
    private void store(int n) {
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        MessageStore.Steps steps = s.startStepped();
        for (int i = 0; i < n; i++) {
            var d = StoreSimulationTest.draft("T", 0, StoreSimulationTest.body(i, 200)).properties("KEYS\u0001k" + i);
            var f = s.put(List.of(d), true, Runnable::run);
            steps.append();
            steps.flush();
            assertThat(f.join().status()).isEqualTo(PutResult.Status.PUT_OK);
        }
        while (steps.index() > 0) {
            clock.advance(1);
        }
        s.close();
    }

    private List<Integer> readAll(MessageStore s) {
        List<Integer> ids = new ArrayList<>();
        for (long o = Math.max(0, s.minOffset("T", 0)); o < s.maxOffset("T", 0); ) {
            GetResult r = s.getCopies("T", 0, o, 16, 0, MessageFilter.ALL);
            for (ByteBuffer b : r.records()) {
                ids.add(StoreSimulationTest.idOf(b));
            }
            o = r.nextBeginOffset();
        }
        return ids;
    }

    private Path queueFile() {
        return cfg.consumeQueueDir().resolve("T").resolve("0").resolve(MappedSegment.fileName(0));
    }

    @Test
    void anEntryPointingBeyondTheLogIsRebuilt() {
        store50();
        disk.flipBit(queueFile(), 20 * ConsumeQueue.ENTRY_BYTES + 1, 6); // a high byte of entry 20's log offset
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        s.startStepped();
        assertThat(readAll(s)).hasSize(50).isSorted().first().isEqualTo(0);
        assertThat(s.maxOffset("T", 0)).isEqualTo(50);
    }

    @Test
    void anEntryPointingPastTheNextOneIsRebuilt() {
        store50();
        // Entry 20's log offset grows by 2 KiB: past entry 21's, but still inside the log.
        disk.flipBit(queueFile(), 20 * ConsumeQueue.ENTRY_BYTES + 6, 3);
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        s.startStepped();
        List<Integer> ids = readAll(s);
        assertThat(ids).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(ids.get(i)).isEqualTo(i);
        }
    }

    @Test
    void aDamagedIndexFileIsRebuiltSoEveryKeyIsFoundAgain() {
        store(100);
        List<String> indexFiles = disk.list(cfg.indexDir());
        assertThat(indexFiles).hasSize(2);
        Path indexFile = cfg.indexDir().resolve(indexFiles.get(0));
        disk.flipBit(indexFile, 0, 1); // the magic of the first of two files
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        MessageStore.Steps steps = s.startStepped();
        while (steps.index() > 0) {
            clock.advance(1);
        }
        assertThat(s.indexedUpTo()).as("indexed again").isEqualTo(s.commitLogWritePosition());
        assertThat(disk.list(cfg.indexDir())).hasSize(2);
        for (int i = 0; i < 100; i += 7) {
            List<ByteBuffer> found = s.query("T", "k" + i, false, 4, 0, Long.MAX_VALUE);
            assertThat(found).as("key k%d", i).hasSize(1);
            assertThat(StoreSimulationTest.idOf(found.get(0))).isEqualTo(i);
        }
    }

    /** Offsets a client sends (message ids, transaction ends) may be anything: no overflow, just no record. */
    @Test
    void offsetsNearTheLargestLongFindNoRecord() {
        store50();
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        s.startStepped();
        for (long offset : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 4, Long.MAX_VALUE - 8, -1, Long.MIN_VALUE}) {
            assertThat(s.recordAt(offset)).as("offset %d", offset).isNull();
        }
        assertThat(s.recordAt(0)).isNotNull();
    }
}
