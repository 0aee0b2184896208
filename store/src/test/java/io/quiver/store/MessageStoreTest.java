package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the store's append, read, restart and recovery behaviour on a temporary directory. */
@Timeout(60)
class MessageStoreTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private StoreConfig config() {
        return StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024);
    }

    private MessageStore open() {
        MessageStore s = new MessageStore(config(), now::get);
        s.start();
        return s;
    }

    static MessageDraft draft(String topic, int queueId, String body, String tag) {
        MessageDraft d = new MessageDraft();
        d.topic(topic);
        d.queueId(queueId);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        d.body(b, 0, b.length);
        d.bornTimestamp(1);
        d.storePort(10911);
        d.storeHost(new byte[] {127, 0, 0, 1});
        if (tag != null) {
            d.properties("TAGS\u0001" + tag);
            d.tagsCode(tag.hashCode());
        }
        return d;
    }

    private static PutResult put(MessageStore s, MessageDraft d) {
        return s.put(List.of(d), true).join();
    }

    private static List<String> bodies(GetResult r) {
        List<String> out = new ArrayList<>();
        for (ByteBuffer b : r.records()) {
            out.add(new String(MessageRecord.decode(b, 0).body, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void storedMessagesReadBackInOrderWithOffsets() {
        try (MessageStore s = open()) {
            for (int i = 0; i < 10; i++) {
                PutResult r = put(s, draft("T", 1, "m" + i, null));
                assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
                assertThat(r.firstQueueOffset()).isEqualTo(i);
            }
            GetResult g = s.get("T", 1, 3, 4, 0, MessageFilter.ALL);
            assertThat(g.status()).isEqualTo(GetResult.Status.FOUND);
            assertThat(bodies(g)).containsExactly("m3", "m4", "m5", "m6");
            assertThat(g.nextBeginOffset()).isEqualTo(7);
            assertThat(g.maxOffset()).isEqualTo(10);
            DecodedMessage m = MessageRecord.decode(g.records().get(0), 0);
            assertThat(m.queueOffset).isEqualTo(3);
            assertThat(m.storeTimestamp).isEqualTo(now.get());
            assertThat(s.recordAt(m.physicalOffset)).isNotNull();
        }
    }

    @Test
    void batchLargerThanTheStagingBufferAndMixingQueuesKeepsOffsetsAndContents() {
        try (MessageStore s = new MessageStore(StoreConfig.defaults(dir).withMaxMessageBytes(512 * 1024)
            .withSegmentBytes(4 * 1024 * 1024), now::get)) {
            s.start();
            put(s, draft("T", 0, "before", null));
            List<MessageDraft> batch = new ArrayList<>();
            String filler = "x".repeat(1000);
            for (int i = 0; i < 400; i++) { // about 450 KB: written in two pieces
                batch.add(draft("T", i % 2, "b" + i + filler, null));
            }
            String huge = "h".repeat(300 * 1024); // one record larger than the staging buffer
            batch.add(draft("T", 1, huge, null));
            PutResult r = s.put(batch, true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(r.queueOffsets()[0]).isEqualTo(1);   // queue 0 held "before"
            assertThat(r.queueOffsets()[1]).isEqualTo(0);
            assertThat(r.queueOffsets()[398]).isEqualTo(200);
            assertThat(r.queueOffsets()[399]).isEqualTo(199);
            assertThat(r.queueOffsets()[400]).isEqualTo(200);
            GetResult q0 = s.get("T", 0, 0, 300, 0, MessageFilter.ALL);
            assertThat(bodies(q0)).hasSize(201).startsWith("before", "b0" + filler, "b2" + filler)
                .endsWith("b398" + filler);
            GetResult q1 = s.get("T", 1, 199, 10, 0, MessageFilter.ALL);
            assertThat(bodies(q1)).containsExactly("b399" + filler, huge);
            for (int i = 0; i < r.commitLogOffsets().length; i++) {
                assertThat(s.recordAt(r.commitLogOffsets()[i])).as("record %d passes its CRC check", i).isNotNull();
            }
        }
    }

    @Test
    void newQueuesReserveBlocksAsTheyGrowAndKeepEveryEntryAcrossARestart() throws Exception {
        StoreConfig cfg = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(4 * 1024 * 1024);
        int entries = ConsumeQueue.RESERVE_CHUNK_BYTES / ConsumeQueue.ENTRY_BYTES + 500; // crosses a chunk
        try (MessageStore s = new MessageStore(cfg, now::get)) {
            s.start();
            for (int q = 0; q < 3; q++) {
                put(s, draft("Wide", q, "first" + q, null));
            }
            List<MessageDraft> batch = new ArrayList<>();
            for (int i = 0; i < entries; i++) {
                batch.add(draft("Wide", 0, "e" + i, null));
            }
            assertThat(s.put(batch, true).join().status()).isEqualTo(PutResult.Status.PUT_OK);
        }
        Path file = cfg.consumeQueueDir().resolve("Wide").resolve("1").resolve(MappedSegment.fileName(0));
        assertThat(Files.size(file)).isEqualTo(300_000L * ConsumeQueue.ENTRY_BYTES);
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        long blocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
        assertThat(blocks * 512).as("a queue with one entry holds one chunk of blocks, not 6 MB")
            .isLessThanOrEqualTo(2L * ConsumeQueue.RESERVE_CHUNK_BYTES);
        try (MessageStore s = new MessageStore(cfg, now::get)) {
            s.start();
            List<String> got = new ArrayList<>();
            long next = 0;
            while (next < entries + 1) {
                GetResult r = s.get("Wide", 0, next, 1000, 0, MessageFilter.ALL);
                assertThat(r.maxOffset()).isEqualTo(entries + 1);
                got.addAll(bodies(r));
                next = r.nextBeginOffset();
            }
            assertThat(got).hasSize(entries + 1);
            assertThat(got.get(0)).isEqualTo("first0");
            for (int i = 0; i < entries; i++) {
                assertThat(got.get(i + 1)).isEqualTo("e" + i);
            }
            assertThat(put(s, draft("Wide", 0, "after", null)).firstQueueOffset()).isEqualTo(entries + 1);
            assertThat(bodies(s.get("Wide", 0, entries + 1, 1, 0, MessageFilter.ALL))).containsExactly("after");
        }
    }

    @Test
    void readStatusesAtTheEdges() {
        try (MessageStore s = open()) {
            assertThat(s.get("T", 0, 0, 1, 0, MessageFilter.ALL).status()).isEqualTo(GetResult.Status.NO_MESSAGE_IN_QUEUE);
            put(s, draft("T", 0, "a", null));
            assertThat(s.get("T", 0, 1, 1, 0, MessageFilter.ALL).status()).isEqualTo(GetResult.Status.OFFSET_OVERFLOW_ONE);
            GetResult bad = s.get("T", 0, 5, 1, 0, MessageFilter.ALL);
            assertThat(bad.status()).isEqualTo(GetResult.Status.OFFSET_OVERFLOW_BADLY);
            assertThat(bad.nextBeginOffset()).isEqualTo(1);
        }
    }

    @Test
    void tagFilterSkipsOtherTagsAndReportsNoMatch() {
        try (MessageStore s = open()) {
            put(s, draft("T", 0, "a", "A"));
            put(s, draft("T", 0, "b", "B"));
            put(s, draft("T", 0, "c", "A"));
            MessageFilter onlyA = code -> code == "A".hashCode();
            GetResult g = s.get("T", 0, 0, 10, 0, onlyA);
            assertThat(bodies(g)).containsExactly("a", "c");
            GetResult none = s.get("T", 0, 1, 1, 0, code -> code == "C".hashCode());
            assertThat(none.status()).isEqualTo(GetResult.Status.NO_MATCHED_MESSAGE);
            assertThat(none.nextBeginOffset()).isEqualTo(3);
        }
    }

    @Test
    void rollsToNewSegmentsAndSurvivesCleanRestart() {
        String big = "x".repeat(30_000);
        try (MessageStore s = open()) {
            for (int i = 0; i < 30; i++) {
                put(s, draft("T", i % 2, big + i, null));
            }
        }
        assertThat(dir.resolve("abort")).doesNotExist();
        try (MessageStore s = open()) {
            assertThat(s.maxOffset("T", 0)).isEqualTo(15);
            assertThat(s.maxOffset("T", 1)).isEqualTo(15);
            List<String> all = bodies(s.get("T", 1, 0, 100, 0, MessageFilter.ALL));
            assertThat(all).hasSize(15).allMatch(b -> b.startsWith(big));
            assertThat(all.get(14)).endsWith("29");
            PutResult r = put(s, draft("T", 1, "after", null));
            assertThat(r.firstQueueOffset()).isEqualTo(15);
        }
    }

    @Test
    void crashRecoveryCutsTornTailAndRebuildsQueues() throws Exception {
        MessageStore s = open();
        for (int i = 0; i < 20; i++) {
            put(s, draft("T", 0, "m" + i, null));
        }
        long end = s.commitLogWritePosition();
        // Simulate a crash: no clean close. Tear the last record by zeroing its trailer bytes.
        Path seg;
        try (Stream<Path> files = Files.list(dir.resolve("commitlog"))) {
            seg = files.sorted().toList().get(0);
        }
        try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
            raf.seek(end - 2);
            raf.write(new byte[] {0x55, 0x55});
        }
        // Also wipe the consume queue so recovery must rebuild it from the commit log.
        try (Stream<Path> files = Files.walk(dir.resolve("consumequeue"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.write(p, new byte[(int) Files.size(p)]);
            }
        }
        Files.delete(dir.resolve("checkpoint"));
        try (MessageStore r = new MessageStore(config(), now::get)) {
            r.start();
            assertThat(r.maxOffset("T", 0)).isEqualTo(19);
            assertThat(bodies(r.get("T", 0, 0, 100, 0, MessageFilter.ALL))).hasSize(19).startsWith("m0").endsWith("m18");
            PutResult after = put(r, draft("T", 0, "new", null));
            assertThat(after.firstQueueOffset()).isEqualTo(19);
        }
        try (MessageStore again = open()) {
            assertThat(bodies(again.get("T", 0, 18, 5, 0, MessageFilter.ALL))).containsExactly("m18", "new");
        }
    }

    @Test
    void damagedRecordIsNeverServed() throws Exception {
        long offset;
        try (MessageStore s = open()) {
            put(s, draft("T", 0, "good", null));
            offset = put(s, draft("T", 0, "will-rot", null)).commitLogOffsets()[0];
        }
        Path seg;
        try (Stream<Path> files = Files.list(dir.resolve("commitlog"))) {
            seg = files.sorted().toList().get(0);
        }
        try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
            raf.seek(offset + 100); // inside the body area: flip bits
            int b = raf.read();
            raf.seek(offset + 100);
            raf.write(b ^ 0xFF);
        }
        try (MessageStore s = open()) {
            GetResult g = s.get("T", 0, 0, 10, 0, MessageFilter.ALL);
            assertThat(bodies(g)).containsExactly("good");
            assertThat(s.recordAt(offset)).isNull();
        }
    }

    @Test
    void offsetForTimestampFindsNearestLowerAndUpper() {
        try (MessageStore s = open()) {
            for (int i = 0; i < 10; i++) {
                now.set(1000 + i * 100L);
                put(s, draft("T", 0, "m" + i, null));
            }
            assertThat(s.offsetForTimestamp("T", 0, 1350, TimeBoundary.LOWER)).isEqualTo(4);
            assertThat(s.offsetForTimestamp("T", 0, 1350, TimeBoundary.UPPER)).isEqualTo(3);
            assertThat(s.offsetForTimestamp("T", 0, 99_999, TimeBoundary.LOWER)).isEqualTo(10);
            assertThat(s.earliestStoreTimestamp("T", 0)).isEqualTo(1000);
        }
    }

    @Test
    void oversizedBodyIsRefusedWithTheLimitInTheRemark() {
        try (MessageStore s = open()) {
            PutResult r = put(s, draft("T", 0, "y".repeat(70_000), null));
            assertThat(r.status()).isEqualTo(PutResult.Status.MESSAGE_ILLEGAL);
            assertThat(r.remark()).contains("65536");
            assertThat(s.maxOffset("T", 0)).isZero();
        }
    }

    @Test
    void asyncFlushAcknowledgesAtOnceAndKeepsDataAcrossACleanStop() {
        StoreConfig async = config().withFlushMode(FlushMode.ASYNC_FLUSH);
        try (MessageStore s = new MessageStore(async, now::get)) {
            s.start();
            for (int i = 0; i < 50; i++) {
                assertThat(s.put(List.of(draft("A", 0, "a" + i, null)), true).join().status())
                    .isEqualTo(PutResult.Status.PUT_OK);
            }
        }
        try (MessageStore s = new MessageStore(async, now::get)) {
            s.start();
            assertThat(bodies(s.get("A", 0, 0, 100, 0, MessageFilter.ALL))).hasSize(50).startsWith("a0").endsWith("a49");
            assertThat(s.maxOffset("A", 0)).isEqualTo(50);
        }
    }

    @Test
    void syncFlushAcknowledgesManyConcurrentPutsWithFewForces() throws Exception {
        try (MessageStore s = open()) {
            List<java.util.concurrent.CompletableFuture<PutResult>> fs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                fs.add(s.put(List.of(draft("T", i % 4, "m" + i, null)), true));
            }
            for (var f : fs) {
                assertThat(f.get().status()).isEqualTo(PutResult.Status.PUT_OK);
            }
            long total = 0;
            for (int q = 0; q < 4; q++) {
                total += s.maxOffset("T", q);
            }
            assertThat(total).isEqualTo(500);
            assertThat(s.forceCount()).as("group commit: far fewer forces than sends").isLessThan(500);
        }
    }
}
