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

    /**
     * Records 14 and 15, stored after the last checkpoint, are damaged in the log, and the page with entries
     * 14..19 was lost while a stale entry of an earlier life survived in the queue's next file. Recovery
     * indexes 16..19 again; it must also turn 14 and 15 into holes. Left empty below the end, they end the
     * queue at the next start (which finds a queue's end by a binary search for its first empty entry) and
     * hide 16..19, acknowledged and intact.
     */
    @Test
    void entriesOfDamagedRecordsLostWithTheirPageDoNotHideTheEntriesAfterThem() {
        MessageStore s = new MessageStore(cfg, clock, disk, disk);
        MessageStore.Steps steps = s.startStepped();
        long[] offsets = new long[20];
        for (int i = 0; i < 20; i++) {
            var f = s.put(List.of(StoreSimulationTest.draft("T", 0, StoreSimulationTest.body(i, 200))), true, Runnable::run);
            steps.append();
            steps.flush();
            assertThat(f.join().status()).isEqualTo(PutResult.Status.PUT_OK);
            offsets[i] = f.join().commitLogOffsets()[0];
            if (i == 9) {
                while (steps.index() > 0) {
                    clock.advance(1);
                }
                steps.checkpoint(); // the next recovery scans from record 10
            }
        }
        s.abandon();
        disk.crash(SimulatedDisk.CrashMode.PROCESS);
        Path log = cfg.commitLogDir().resolve(MappedSegment.fileName(0));
        disk.flipBit(log, (int) offsets[14] + 150, 2);
        disk.flipBit(log, (int) offsets[15] + 150, 2);
        DiskFile cq = disk.open(queueFile(), 1000 * ConsumeQueue.ENTRY_BYTES);
        cq.write(ByteBuffer.allocate(6 * ConsumeQueue.ENTRY_BYTES), 14 * ConsumeQueue.ENTRY_BYTES);
        cq.close();
        Path next = queueFile().resolveSibling(MappedSegment.fileName(1000 * ConsumeQueue.ENTRY_BYTES));
        DiskFile stale = disk.create(next, 1000 * ConsumeQueue.ENTRY_BYTES, true);
        stale.write(ByteBuffer.allocate(ConsumeQueue.ENTRY_BYTES).putLong(1 << 20).putInt(200).putLong(0).flip(), 0);
        stale.close();
        disk.crash(SimulatedDisk.CrashMode.PROCESS);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            if (i != 14 && i != 15) {
                expected.add(i);
            }
        }

        MessageStore recovered = new MessageStore(cfg, clock, disk, disk);
        recovered.startStepped();
        assertThat(recovered.damagedAtRecovery()).hasSize(1);
        assertThat(readAll(recovered)).isEqualTo(expected);
        recovered.abandon(); // a crash soon after: its start wrote a checkpoint at the end of the log
        disk.crash(SimulatedDisk.CrashMode.PROCESS);

        MessageStore again = new MessageStore(cfg, clock, disk, disk);
        again.startStepped();
        assertThat(again.maxOffset("T", 0)).isEqualTo(20);
        assertThat(readAll(again)).isEqualTo(expected);
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
