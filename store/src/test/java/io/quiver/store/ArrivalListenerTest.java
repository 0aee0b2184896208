package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.MessageDraft;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the ArrivalListener is told of every record once, in queue order, on the writer thread, after the record is readable, with the tag code (or due time) stored in the consume queue. */
@Timeout(60)
class ArrivalListenerTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    /** One call of the listener, with what the store showed at that moment. */
    private record Arrival(String topic, int queueId, long queueOffset, long tagsCode, String thread,
                           long maxOffsetSeen, Long tagsCodeStored) {}

    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    private MessageStore store() {
        StoreConfig cfg = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024);
        return new MessageStore(cfg, now::get, () -> 0.10);
    }

    /** Registers a recording listener on {@code s} before it starts. */
    private MessageStore openRecording() {
        MessageStore s = store();
        s.onArrival((topic, queueId, queueOffset, tagsCode) -> arrivals.add(new Arrival(topic, queueId, queueOffset,
            tagsCode, Thread.currentThread().getName(), s.maxOffset(topic, queueId),
            s.tagsCodeAt(topic, queueId, queueOffset))));
        s.start();
        return s;
    }

    @Test
    void aBatchOfThreeIsReportedThreeTimesInQueueOrderWithTheDraftsTagCodes() {
        try (MessageStore s = openRecording()) {
            List<MessageDraft> batch = List.of(
                MessageStoreTest.draft("T", 2, "a", "TagA"),
                MessageStoreTest.draft("T", 2, "b", "TagB"),
                MessageStoreTest.draft("T", 2, "c", null));
            PutResult r = s.put(batch, true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(r.queueOffsets()).containsExactly(0, 1, 2);

            assertThat(arrivals).extracting(Arrival::topic, Arrival::queueId, Arrival::queueOffset, Arrival::tagsCode)
                .containsExactly(
                    org.assertj.core.groups.Tuple.tuple("T", 2, 0L, (long) "TagA".hashCode()),
                    org.assertj.core.groups.Tuple.tuple("T", 2, 1L, (long) "TagB".hashCode()),
                    org.assertj.core.groups.Tuple.tuple("T", 2, 2L, 0L));
            assertThat(arrivals).allSatisfy(a -> {
                assertThat(a.thread()).isEqualTo("quiver-append");
                assertThat(a.maxOffsetSeen()).as("record %d is readable when it is reported", a.queueOffset())
                    .isGreaterThan(a.queueOffset());
                assertThat(a.tagsCodeStored()).isEqualTo(a.tagsCode());
            });

            // A later single send continues the same queue's offsets.
            s.put(List.of(MessageStoreTest.draft("T", 2, "d", "TagD")), true).join();
            assertThat(arrivals).hasSize(4);
            assertThat(arrivals.get(3).queueOffset()).isEqualTo(3);
            assertThat(arrivals.get(3).tagsCode()).isEqualTo("TagD".hashCode());
        }
    }

    @Test
    void aDelayedDraftIsReportedWithItsDueTimeAsTagCode() {
        try (MessageStore s = openRecording()) {
            MessageDraft delayed = MessageStoreTest.draft("SCHEDULE", 0, "later", "TagL").deliverDelayMillis(5_000);
            MessageDraft plain = MessageStoreTest.draft("SCHEDULE", 0, "now", "TagN");
            PutResult r = s.put(List.of(delayed, plain), true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(r.storeTimestamp()).isEqualTo(now.get());

            assertThat(arrivals).hasSize(2);
            assertThat(arrivals.get(0).queueOffset()).isZero();
            assertThat(arrivals.get(0).tagsCode()).isEqualTo(r.storeTimestamp() + 5_000);
            assertThat(arrivals.get(1).queueOffset()).isEqualTo(1);
            assertThat(arrivals.get(1).tagsCode()).as("no delay: the tag hash").isEqualTo("TagN".hashCode());
            // The consume queue stores the same code the listener was told.
            assertThat(s.tagsCodeAt("SCHEDULE", 0, 0)).isEqualTo(r.storeTimestamp() + 5_000);
            assertThat(s.tagsCodeAt("SCHEDULE", 0, 1)).isEqualTo("TagN".hashCode());

            now.addAndGet(1_234);
            PutResult later = s.put(List.of(MessageStoreTest.draft("SCHEDULE", 0, "later2", null).deliverDelayMillis(10)),
                true).join();
            assertThat(later.storeTimestamp()).isEqualTo(now.get());
            assertThat(arrivals.get(2).tagsCode()).isEqualTo(later.storeTimestamp() + 10);
        }
    }

    @Test
    void aBatchAcrossQueuesIsReportedPerQueueWithEachQueuesOffsets() {
        try (MessageStore s = openRecording()) {
            s.put(List.of(MessageStoreTest.draft("T", 0, "first", null)), true).join();
            arrivals.clear();
            PutResult r = s.put(List.of(
                MessageStoreTest.draft("T", 0, "a", null),
                MessageStoreTest.draft("T", 1, "b", null),
                MessageStoreTest.draft("U", 0, "c", null),
                MessageStoreTest.draft("T", 0, "d", null)), true).join();
            assertThat(r.queueOffsets()).containsExactly(1, 0, 0, 2);
            assertThat(arrivals).extracting(Arrival::topic, Arrival::queueId, Arrival::queueOffset)
                .containsExactly(
                    org.assertj.core.groups.Tuple.tuple("T", 0, 1L),
                    org.assertj.core.groups.Tuple.tuple("T", 1, 0L),
                    org.assertj.core.groups.Tuple.tuple("U", 0, 0L),
                    org.assertj.core.groups.Tuple.tuple("T", 0, 2L));
        }
    }

    @Test
    void aFailingListenerNeitherFailsTheSendNorHidesLaterRecords() {
        List<Long> told = new CopyOnWriteArrayList<>();
        MessageStore s = store();
        s.onArrival((topic, queueId, queueOffset, tagsCode) -> {
            told.add(queueOffset);
            if (queueOffset == 0) {
                throw new IllegalStateException("listener bug");
            }
        });
        s.start();
        try (s) {
            PutResult r = s.put(List.of(MessageStoreTest.draft("T", 0, "a", null),
                MessageStoreTest.draft("T", 0, "b", null)), true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            assertThat(told).containsExactly(0L, 1L);
            assertThat(s.put(List.of(MessageStoreTest.draft("T", 0, "c", null)), true).join().status())
                .isEqualTo(PutResult.Status.PUT_OK);
            assertThat(told).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void aListenerRegisteredAfterStartReplacesTheFirst() {
        List<Long> second = new CopyOnWriteArrayList<>();
        try (MessageStore s = openRecording()) {
            s.put(List.of(MessageStoreTest.draft("T", 0, "a", null)), true).join();
            s.onArrival((topic, queueId, queueOffset, tagsCode) -> second.add(queueOffset));
            s.put(List.of(MessageStoreTest.draft("T", 0, "b", null)), true).join();
            assertThat(arrivals).extracting(Arrival::queueOffset).containsExactly(0L);
            assertThat(second).containsExactly(1L);
        }
    }

    @Test
    void refusedSendsAreNotReported() {
        try (MessageStore s = openRecording()) {
            PutResult r = s.put(List.of(MessageStoreTest.draft("T", 0, "y".repeat(70_000), null)), true).join();
            assertThat(r.status()).isEqualTo(PutResult.Status.MESSAGE_ILLEGAL);
            assertThat(arrivals).isEmpty();
        }
    }
}
