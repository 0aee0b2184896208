package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: a replica's store takes the entries a master's store reads out, at the same offsets, across
 * segment ends; builds the same consume queues; refuses chunks at the wrong offset or with a damaged record
 * without writing anything; and keeps all of it across a restart.
 */
@Timeout(60)
class ReplicatedAppendTest {
    @TempDir
    Path dir;

    private static final int SEGMENT = 64 * 1024;

    private MessageStore open(String name, boolean replica) {
        MessageStore s = new MessageStore(StoreConfig.defaults(dir.resolve(name)).withMaxMessageBytes(8 * 1024)
            .withSegmentBytes(SEGMENT).withIndexSize(1024, 4096), Clock.SYSTEM);
        s.replicaMode(replica);
        s.start();
        return s;
    }

    /** Ships everything from {@code from} in chunks of at most {@code chunkBytes}; returns the replica's end. */
    private static long ship(MessageStore master, MessageStore replica, long from, int chunkBytes) {
        long pos = from;
        while (true) {
            LogChunk c = master.readEntries(pos, chunkBytes);
            if (c.kind() == LogChunk.Kind.NOTHING_NEW) {
                return pos;
            }
            long end = replica.appendReplicated(c, Runnable::run).join();
            assertThat(end).isEqualTo(c.next());
            pos = end;
        }
    }

    private static void fill(MessageStore s, int count, int from) {
        for (int i = from; i < from + count; i++) {
            String body = "m" + i + "-" + "x".repeat(i % 700);
            assertThat(s.put(List.of(MessageStoreTest.draft("T" + (i % 3), i % 4, body, "tag" + (i % 5))), true).join()
                .status()).isEqualTo(PutResult.Status.PUT_OK);
        }
    }

    private static List<String> bodies(MessageStore s, String topic, int queueId) {
        List<String> out = new ArrayList<>();
        long next = s.minOffset(topic, queueId);
        while (next < s.maxOffset(topic, queueId)) {
            GetResult r = s.get(topic, queueId, next, 32, 0, MessageFilter.ALL);
            try {
                for (ByteBuffer b : r.records()) {
                    out.add(new String(MessageRecord.decode(b, 0).body, StandardCharsets.UTF_8));
                }
                next = r.nextBeginOffset();
            } finally {
                r.release();
            }
        }
        return out;
    }

    @Test
    void theReplicaHoldsTheMastersLogByteForByteAndTheSameQueues() throws Exception {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            fill(master, 400, 0); // about 160 KB: several 64 KiB segments, so blank markers are shipped
            long end = ship(master, replica, 0, 3000);
            assertThat(end).isEqualTo(master.commitLogWritePosition());
            assertThat(replica.commitLogWritePosition()).isEqualTo(end);
            for (int t = 0; t < 3; t++) {
                for (int q = 0; q < 4; q++) {
                    assertThat(replica.maxOffset("T" + t, q)).isEqualTo(master.maxOffset("T" + t, q));
                    assertThat(bodies(replica, "T" + t, q)).isEqualTo(bodies(master, "T" + t, q)).isNotEmpty();
                }
            }
            assertThat(replica.recordAt(end - 1000)).isNull(); // not a record start: no lenient read
            LogChunk last = master.readEntries(master.commitLogMinOffset(), 1);
            assertThat(replica.recordAt(last.from())).isEqualTo(master.recordAt(last.from()));
        }
        assertSameFiles(dir.resolve("m").resolve("commitlog"), dir.resolve("r").resolve("commitlog"));
        // after a restart the replica keeps everything and continues where it ended
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            long before = replica.commitLogWritePosition();
            fill(master, 50, 400);
            assertThat(ship(master, replica, before, 64 * 1024)).isEqualTo(master.commitLogWritePosition());
            assertThat(bodies(replica, "T1", 1)).isEqualTo(bodies(master, "T1", 1));
        }
    }

    @Test
    void aChunkAtTheWrongOffsetOrWithADamagedRecordIsRefusedAndNothingIsWritten() {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            fill(master, 20, 0);
            LogChunk first = master.readEntries(0, 1500);
            LogChunk second = master.readEntries(first.next(), 1500);
            assertThatThrownBy(() -> replica.appendReplicated(second, Runnable::run).join())
                .isInstanceOf(CompletionException.class).hasMessageContaining("the log ends at 0");
            ByteBuffer damaged = ByteBuffer.allocate(first.bytes().remaining()).put(first.bytes().duplicate()).flip();
            damaged.put(200, (byte) (damaged.get(200) ^ 1)); // inside a record of the chunk
            LogChunk bad = new LogChunk(LogChunk.Kind.ENTRIES, first.from(), first.next(), damaged);
            assertThatThrownBy(() -> replica.appendReplicated(bad, Runnable::run).join())
                .hasMessageContaining("fails its CRC");
            assertThat(replica.commitLogWritePosition()).isZero();
            assertThat(replica.maxOffset("T0", 0)).isZero();
            assertThat(ship(master, replica, 0, 1500)).isEqualTo(master.commitLogWritePosition());
            assertThat(bodies(replica, "T0", 0)).isEqualTo(bodies(master, "T0", 0));
        }
    }

    @Test
    void aReplicaStoreRefusesSendsAndAMasterRefusesShippedEntries() {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            PutResult r = replica.put(List.of(MessageStoreTest.draft("T", 0, "x", null)), true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.SERVICE_NOT_AVAILABLE);
            assertThat(r.remark()).contains("replica");
            fill(master, 1, 0);
            LogChunk c = master.readEntries(0, 1000);
            assertThatThrownBy(() -> master.appendReplicated(c, Runnable::run).join()).hasMessageContaining("not a replica");
        }
    }

    @Test
    void aReplicaCanStartAtTheMastersOldestSegmentAndItsQueuesStartThere() {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            fill(master, 400, 0);
            long base = SEGMENT; // as if retention had deleted the first segment
            replica.startEmptyLogAt(base).join();
            assertThat(ship(master, replica, base, 10_000)).isEqualTo(master.commitLogWritePosition());
            List<String> all = bodies(master, "T2", 3);
            List<String> copied = bodies(replica, "T2", 3);
            assertThat(copied).isNotEmpty().isEqualTo(all.subList(all.size() - copied.size(), all.size()));
            assertThat(replica.minOffset("T2", 3)).isEqualTo(master.maxOffset("T2", 3) - copied.size());
        }
        try (MessageStore replica = open("r", true)) { // the queues' start survives a restart
            assertThat(replica.commitLogMinOffset()).isEqualTo(SEGMENT);
            assertThat(bodies(replica, "T2", 3)).isNotEmpty().allMatch(b -> b.startsWith("m"));
        }
    }

    /** Records with a KEYS property ({@code k<i>}), so the message index has something to find. */
    private static void fillKeyed(MessageStore s, int count, int from) {
        for (int i = from; i < from + count; i++) {
            MessageDraft d = MessageStoreTest.draft("T" + (i % 3), i % 4, "m" + i + "-" + "x".repeat(i % 700), "tag");
            d.properties("TAGS\u0001tag\u0002KEYS\u0001k" + i);
            assertThat(s.put(List.of(d), true).join().status()).isEqualTo(PutResult.Status.PUT_OK);
        }
    }

    private Map<String, List<String>> allBodies(MessageStore s) {
        Map<String, List<String>> out = new TreeMap<>();
        for (int t = 0; t < 3; t++) {
            for (int q = 0; q < 4; q++) {
                out.put("T" + t + "-" + q, bodies(s, "T" + t, q));
            }
        }
        return out;
    }

    @Test
    void aReplicaCutsBackRecordsItsMasterLostAndThenHoldsTheMastersNewTermByteForByte() throws Exception {
        long cut;
        long lostEnd;
        Map<String, List<String>> beforeCut;
        try (MessageStore first = open("m1", false); MessageStore replica = open("r", true)) {
            fillKeyed(first, 300, 0);
            cut = first.commitLogWritePosition();
            ship(first, replica, 0, 4000);
            beforeCut = allBodies(replica);
            fillKeyed(first, 120, 300); // shipped, then lost by the master (never on its disk)
            lostEnd = ship(first, replica, cut, 4000);
            // the master after its loss: the same first 300 records, built as a replica of the prefix, then a master
            try (MessageStore prefix = open("m2", true)) {
                LogChunk c;
                for (long pos = 0; pos < cut; pos = prefix.appendReplicated(c, Runnable::run).join()) {
                    c = first.readEntries(pos, (int) Math.min(4000, cut - pos));
                    if (c.next() > cut) {
                        throw new AssertionError("a chunk crosses the cut");
                    }
                }
            }
        }
        try (MessageStore master = open("m2", false); MessageStore replica = open("r", true)) {
            assertThat(master.commitLogWritePosition()).isEqualTo(cut);
            fillKeyed(master, 80, 1000); // the new term writes other records at the lost offsets
            assertThat(replica.commitLogWritePosition()).isEqualTo(lostEnd);
            await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> replica.query("T1", "k301", false, 10, 0, Long.MAX_VALUE).size() == 1);

            replica.truncateReplicaLog(cut).join();

            assertThat(replica.commitLogWritePosition()).isEqualTo(cut);
            assertThat(allBodies(replica)).isEqualTo(beforeCut);
            assertThat(replica.query("T1", "k301", false, 10, 0, Long.MAX_VALUE)).isEmpty();
            await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> replica.query("T1", "k298", false, 10, 0, Long.MAX_VALUE).size() == 1);
            assertThat(ship(master, replica, cut, 4000)).isEqualTo(master.commitLogWritePosition());
            assertThat(allBodies(replica)).isEqualTo(allBodies(master));
            await().atMost(java.time.Duration.ofSeconds(10)).until(
                () -> replica.query("T1", "k1000", false, 10, 0, Long.MAX_VALUE).size() == 1);
            assertThat(replica.query("T1", "k301", false, 10, 0, Long.MAX_VALUE)).isEmpty();
        }
        assertSameFiles(dir.resolve("m2").resolve("commitlog"), dir.resolve("r").resolve("commitlog"));
        try (MessageStore master = open("m2", false); MessageStore replica = open("r", true)) {
            assertThat(allBodies(replica)).isEqualTo(allBodies(master)); // the cut and what followed are durable
        }
    }

    @Test
    void aSyncFlushReplicaAcknowledgesAfterTheForceOnlyWhenAskedAndForcesWithinASecondEitherWay() {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            assertThat(replica.config().flushMode()).isEqualTo(FlushMode.SYNC_FLUSH);
            fill(master, 40, 0);
            replica.ackShippedAfterForce(true);
            long forces = replica.forceCount();
            long half = ship(master, replica, 0, 2000); // each chunk answered only once forced
            assertThat(replica.forceCount()).isGreaterThan(forces);
            fill(master, 40, 40);
            replica.ackShippedAfterForce(false);
            long written = replica.forceCount();
            assertThat(ship(master, replica, half, 2000)).isEqualTo(master.commitLogWritePosition());
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> replica.forceCount() > written);
        }
    }

    @Test
    void aCutOnAMastersStoreIsRefusedAndACutBeyondTheEndChangesNothing() {
        try (MessageStore master = open("m", false); MessageStore replica = open("r", true)) {
            fill(master, 50, 0);
            long end = ship(master, replica, 0, 4000);
            assertThatThrownBy(() -> master.truncateReplicaLog(0).join()).hasMessageContaining("only a replica");
            replica.truncateReplicaLog(end + 100).join(); // beyond the end: nothing to cut
            assertThat(replica.commitLogWritePosition()).isEqualTo(end);
            assertThat(allBodies(replica)).isEqualTo(allBodies(master));
        }
    }

    @Test
    void aMasterOpensATermAtEachStartAndTermsThatLostTheirRecordsAreDropped() {
        try (MessageStore master = open("m", false)) {
            EpochHistory.Entry first = master.beginEpoch();
            assertThat(first.epoch()).isEqualTo(1);
            assertThat(first.startOffset()).isZero();
            fill(master, 10, 0);
        }
        long end;
        try (MessageStore master = open("m", false)) {
            end = master.commitLogWritePosition();
            EpochHistory.Entry second = master.beginEpoch();
            assertThat(second.epoch()).isEqualTo(2);
            assertThat(second.startOffset()).isEqualTo(end);
            assertThat(master.epochs()).hasSize(2);
            assertThat(master.epochs().get(0).termId()).isNotEqualTo(second.termId());
        }
        try (MessageStore replica = open("m", true)) {
            assertThatThrownBy(replica::beginEpoch).hasMessageContaining("replica");
            assertThat(replica.epochs()).hasSize(2); // kept across restarts
        }
    }

    private static void assertSameFiles(Path a, Path b) throws Exception {
        List<Path> fa;
        try (var s = Files.list(a)) {
            fa = s.sorted().toList();
        }
        assertThat(fa).isNotEmpty();
        for (Path f : fa) {
            assertThat(Files.readAllBytes(b.resolve(f.getFileName().toString()))).as(f.getFileName().toString())
                .isEqualTo(Files.readAllBytes(f));
        }
    }
}
