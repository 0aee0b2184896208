package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: a commit-log segment deleted under a reader stays mapped and intact until the reader's hold is released, and is unmapped at the last release. */
@Timeout(60)
class SegmentLifetimeTest {
    private static final long HOUR = 3_600_000L;
    private static final String FILLER = "x".repeat(30_000);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private volatile double diskRatio = 0.10;

    private MessageStore open() {
        StoreConfig c = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024)
            .withRetention(new RetentionConfig(72 * HOUR, Set.of(), 0.75, 0.85, 0.90));
        MessageStore s = new MessageStore(c, now::get, () -> diskRatio);
        s.start();
        return s;
    }

    /** Stores {@code count} 30 KiB messages alternating between queues 0 and 1; returns their bodies. */
    private static List<String> fill(MessageStore s, int from, int count) {
        List<String> bodies = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            String body = "m" + i + "-" + FILLER;
            PutResult r = s.put(List.of(MessageStoreTest.draft("T", i % 2, body, null)), false).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            bodies.add(body);
        }
        return bodies;
    }

    private static byte[] bytesOf(ByteBuffer view) {
        byte[] b = new byte[view.remaining()];
        view.duplicate().get(b);
        return b;
    }

    private static String bodyOf(ByteBuffer view) {
        DecodedMessage m = MessageRecord.decode(view, 0);
        return new String(m.body, StandardCharsets.UTF_8);
    }

    @Test
    void aHeldRecordOutlivesTheDeletionOfItsSegmentAndTheMappingGoesAtTheLastRelease() {
        try (MessageStore s = open()) {
            List<String> bodies = fill(s, 0, 24); // three 256 KiB segments of 8 messages
            MappedSegment first = s.commitLog().file().first();
            assertThat(first.baseOffset()).isZero();
            assertThat(s.commitLog().file().segments()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(first.references()).as("only the segment list holds it").isEqualTo(1);

            GetResult held = s.get("T", 0, 0, 1, 0, MessageFilter.ALL);
            assertThat(held.status()).isEqualTo(GetResult.Status.FOUND);
            assertThat(held.records()).hasSize(1);
            ByteBuffer view = held.records().get(0);
            assertThat(MessageRecord.decode(view, 0).physicalOffset).isLessThan(first.endOffset());
            assertThat(held.hold().size()).as("its commit-log segment and its consume-queue file").isEqualTo(2);
            assertThat(first.references()).as("the list and the reader").isEqualTo(2);
            byte[] before = bytesOf(view);

            List<MappedSegment> gone = s.deleteBefore(first.endOffset());
            assertThat(gone).contains(first);
            assertThat(first.path()).as("the file is removed at once").doesNotExist();
            assertThat(s.commitLogMinOffset()).isEqualTo(first.endOffset());
            assertThat(s.commitLog().file().first()).isNotSameAs(first);
            assertThat(first.references()).as("only the reader holds the mapping now").isEqualTo(1);
            assertThat(first.retain()).as("a reader may still join while one holds it").isTrue();
            first.release();

            // The reader's view is still the record that was written.
            assertThat(bytesOf(view)).isEqualTo(before);
            assertThat(bodyOf(view)).isEqualTo(bodies.get(0));
            assertThat(s.get("T", 0, 0, 1, 0, MessageFilter.ALL).status())
                .as("new readers of the deleted range are sent forward").isEqualTo(GetResult.Status.OFFSET_TOO_SMALL);

            held.release();
            assertThat(first.references()).as("the last release unmaps it").isZero();
            assertThat(first.retain()).as("nobody can take a released segment again").isFalse();
            assertThat(first.references()).isZero();
            held.release(); // idempotent: no second decrement, no exception
            held.close();
            assertThat(first.references()).isZero();
            assertThat(held.hold().size()).isZero();

            // The rest of the store is unaffected.
            long min0 = s.minOffset("T", 0);
            assertThat(min0).isPositive();
            GetResult after = s.getCopies("T", 0, min0, 1, 0, MessageFilter.ALL);
            assertThat(after.status()).isEqualTo(GetResult.Status.FOUND);
            assertThat(bodyOf(after.records().get(0))).isEqualTo(bodies.get((int) (min0 * 2)));
        }
    }

    @Test
    void retentionDeletesASegmentUnderAReaderWithoutPullingItsBytesAway() {
        try (MessageStore s = open()) {
            List<String> bodies = fill(s, 0, 24);
            now.addAndGet(80 * HOUR);
            fill(s, 24, 8); // fresh data: the old segments have expired
            MappedSegment first = s.commitLog().file().first();
            GetResult held = s.get("T", 1, 0, 2, 0, MessageFilter.ALL);
            assertThat(held.records()).hasSize(2);
            byte[] firstBytes = bytesOf(held.records().get(0));

            diskRatio = 0.80; // above the clean ratio: expired segments go now
            s.runRetention();
            // The maintenance thread may run the same pass concurrently; either way the first segment goes.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !first.path().toFile().exists() && first.references() == 1);
            assertThat(s.commitLogMinOffset()).isGreaterThanOrEqualTo(first.endOffset());

            assertThat(bytesOf(held.records().get(0))).isEqualTo(firstBytes);
            assertThat(bodyOf(held.records().get(0))).isEqualTo(bodies.get(1));
            assertThat(bodyOf(held.records().get(1))).isEqualTo(bodies.get(3));

            held.release();
            assertThat(first.references()).isZero();
            assertThat(first.retain()).isFalse();
        }
    }

    @Test
    void aSegmentWithoutReadersIsReleasedWhenDeleted() {
        try (MessageStore s = open()) {
            fill(s, 0, 24);
            MappedSegment first = s.commitLog().file().first();
            GetResult r = s.get("T", 0, 0, 3, 0, MessageFilter.ALL);
            assertThat(first.references()).isEqualTo(2);
            r.release();
            assertThat(first.references()).isEqualTo(1);
            GetResult copies = s.getCopies("T", 0, 0, 3, 0, MessageFilter.ALL);
            assertThat(copies.hold()).isSameAs(ReadHold.NONE);
            assertThat(first.references()).as("copies hold nothing").isEqualTo(1);

            s.deleteBefore(first.endOffset());
            assertThat(first.references()).isZero();
            assertThat(first.retain()).isFalse();
            assertThat(bodyOf(copies.records().get(0))).startsWith("m0-");
        }
    }

    @Test
    void aReadAcrossSegmentsHoldsEachSegmentOnceUntilReleased() {
        try (MessageStore s = open()) {
            fill(s, 0, 24);
            // The index thread holds a segment while it reads a record: let it catch up first.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.indexedUpTo() < s.commitLogWritePosition() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(s.indexedUpTo()).isEqualTo(s.commitLogWritePosition());
            GetResult all = s.get("T", 0, 0, 100, 0, MessageFilter.ALL);
            assertThat(all.records()).hasSize(12);
            Map<MappedSegment, Boolean> touched = new IdentityHashMap<>();
            for (ByteBuffer b : all.records()) {
                touched.put(s.commitLog().file().segmentFor(MessageRecord.decode(b, 0).physicalOffset), true);
            }
            assertThat(touched).hasSizeGreaterThanOrEqualTo(2);
            assertThat(all.hold().size()).as("each commit-log segment once, and the queue file").isEqualTo(touched.size() + 1);
            for (MappedSegment seg : touched.keySet()) {
                assertThat(seg.references()).isEqualTo(2);
            }
            all.release();
            all.release();
            for (MappedSegment seg : touched.keySet()) {
                assertThat(seg.references()).isEqualTo(1);
            }
        }
    }

    @Test
    void readHoldRetainsASegmentOnceAndReleasesIdempotently() {
        MappedSegment seg = MappedSegment.create(dir, 0, 64 * 1024);
        ReadHold hold = new ReadHold();
        assertThat(hold.hold(seg)).isTrue();
        assertThat(hold.hold(seg)).as("already held: no second reference").isTrue();
        assertThat(hold.size()).isEqualTo(1);
        assertThat(seg.references()).isEqualTo(2);
        hold.release();
        assertThat(seg.references()).isEqualTo(1);
        assertThat(hold.size()).isZero();
        hold.release();
        assertThat(seg.references()).as("a second release gives nothing back twice").isEqualTo(1);

        assertThat(ReadHold.NONE.hold(seg)).as("NONE never holds anything").isFalse();
        assertThat(seg.references()).isEqualTo(1);

        seg.delete();
        seg.release();
        assertThat(new ReadHold().hold(seg)).as("a released segment cannot be held").isFalse();
        assertThat(seg.references()).isZero();
    }

    @Test
    void retainFailsOnceTheLastReferenceIsGone() {
        MappedSegment seg = MappedSegment.create(dir, 0, 64 * 1024);
        assertThat(seg.references()).isEqualTo(1);
        assertThat(seg.retain()).isTrue();
        assertThat(seg.retain()).isTrue();
        assertThat(seg.references()).isEqualTo(3);
        seg.release();
        seg.release();
        assertThat(seg.retain()).as("still referenced by its list").isTrue();
        seg.release();
        seg.delete();
        seg.release(); // the list's reference: the last one
        assertThat(seg.references()).isZero();
        assertThat(seg.retain()).isFalse();
        assertThat(seg.references()).as("a failed retain leaves the count alone").isZero();
        assertThatThrownBy(seg::release).isInstanceOf(IllegalStateException.class);
    }
}
