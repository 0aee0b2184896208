package io.quiver.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import io.quiver.store.StoreConfig;
import io.quiver.store.TimeBoundary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: FakeReader stores real records and reads them back with MessageStore's statuses, offsets and limits. */
@Timeout(10)
class FakeReaderTest {
    static final long T0 = 1_700_000_000_000L;
    final FakeReader store = new FakeReader();

    static MessageFilter tag(String tag) {
        return tagsCode -> tagsCode == tag.hashCode();
    }

    static List<String> bodies(GetResult r) {
        List<String> out = new ArrayList<>();
        for (ByteBuffer b : r.records()) {
            out.add(new String(MessageRecord.decode(b, 0).body, StandardCharsets.UTF_8));
        }
        return out;
    }

    static void assertResult(GetResult r, GetResult.Status status, long next, long min, long max) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.nextBeginOffset()).as("nextBeginOffset").isEqualTo(next);
        assertThat(r.minOffset()).as("minOffset").isEqualTo(min);
        assertThat(r.maxOffset()).as("maxOffset").isEqualTo(max);
    }

    @Test
    void addedMessagesAreRealRecordsLaidEndToEndInTheLog() {
        long first = store.add("T", 2, "hello", "TagA", T0);
        long second = store.addWithProperties("T", 2, "world", Map.of("KEYS", "k1 k2", "UNIQ_KEY", "U1"), T0 + 5);

        assertThat(first).isZero();
        ByteBuffer r1 = store.recordAt(first);
        assertThat(second).isEqualTo(r1.remaining());
        assertThat(store.commitLogWritePosition()).isEqualTo(second + store.recordAt(second).remaining());

        DecodedMessage m = MessageRecord.decode(store.recordAt(second), 0);
        assertThat(m.topic).isEqualTo("T");
        assertThat(m.queueId).isEqualTo(2);
        assertThat(m.queueOffset).isEqualTo(1);
        assertThat(m.physicalOffset).isEqualTo(second);
        assertThat(m.storeTimestamp).isEqualTo(T0 + 5);
        assertThat(m.storeHost).containsExactly(FakeReader.STORE_HOST);
        assertThat(m.storePort).isEqualTo(FakeReader.STORE_PORT);
        assertThat(new String(m.body, StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(m.propertyMap()).containsEntry("KEYS", "k1 k2").containsEntry("UNIQ_KEY", "U1");
        assertThat(MessageRecord.decode(r1, 0).propertyMap()).containsEntry("TAGS", "TagA");

        assertThat(store.recordAt(first + 1)).isNull();
        assertThat(store.recordAt(store.commitLogWritePosition())).isNull();
        assertThat(store.tagsCodeAt("T", 2, 0)).isEqualTo((long) "TagA".hashCode());
        assertThat(store.tagsCodeAt("T", 2, 1)).isZero();
        assertThat(store.tagsCodeAt("T", 2, 2)).isNull();
        assertThat(store.storeTimestamp("T", 2, 1)).isEqualTo(T0 + 5);
        assertThat(store.storeTimestamp("T", 2, 2)).isEqualTo(-1);
        assertThat(store.topics()).containsExactly("T");
    }

    @Test
    void readsAnswerWithTheStoresStatuses() {
        assertResult(store.get("T", 0, 0, 32, 0, MessageFilter.ALL), GetResult.Status.NO_MESSAGE_IN_QUEUE, 0, 0, 0);
        assertThat(store.maxOffset("T", 0)).isZero();
        assertThat(store.minOffset("T", 0)).isEqualTo(-1);

        for (int i = 0; i < 5; i++) {
            store.add("T", 0, "m" + i, i % 2 == 0 ? "A" : "B", T0 + i);
        }
        GetResult found = store.get("T", 0, 1, 2, 0, MessageFilter.ALL);
        assertResult(found, GetResult.Status.FOUND, 3, 0, 5);
        assertThat(bodies(found)).containsExactly("m1", "m2");
        assertThat(found.records().get(0).isReadOnly()).isTrue();

        assertResult(store.get("T", 0, 5, 32, 0, MessageFilter.ALL), GetResult.Status.OFFSET_OVERFLOW_ONE, 5, 0, 5);
        assertResult(store.get("T", 0, 9, 32, 0, MessageFilter.ALL), GetResult.Status.OFFSET_OVERFLOW_BADLY, 5, 0, 5);

        store.dropBefore("T", 0, 2);
        assertThat(store.minOffset("T", 0)).isEqualTo(2);
        assertResult(store.get("T", 0, 1, 32, 0, MessageFilter.ALL), GetResult.Status.OFFSET_TOO_SMALL, 2, 2, 5);
        assertThat(store.earliestStoreTimestamp("T", 0)).isEqualTo(T0 + 2);
        assertThat(store.recordAt(0)).as("dropped from the log too").isNull();
    }

    @Test
    void filtersCountsAndBytesBoundARead() {
        for (int i = 0; i < 6; i++) {
            store.add("T", 0, "m" + i, i < 3 ? "A" : "B", T0);
        }
        GetResult b = store.get("T", 0, 0, 32, 0, tag("B"));
        assertResult(b, GetResult.Status.FOUND, 6, 0, 6);
        assertThat(bodies(b)).containsExactly("m3", "m4", "m5");

        GetResult none = store.get("T", 0, 0, 2, 0, tag("C"));
        assertResult(none, GetResult.Status.NO_MATCHED_MESSAGE, 6, 0, 6);

        MessageFilter byBody = new MessageFilter() {
            @Override
            public boolean matchesTagsCode(long tagsCode) {
                return true;
            }

            @Override
            public boolean matchesRecord(ByteBuffer record) {
                return new String(MessageRecord.decode(record, 0).body, StandardCharsets.UTF_8).equals("m4");
            }
        };
        assertThat(bodies(store.get("T", 0, 0, 32, 0, byBody))).containsExactly("m4");

        int size = store.recordAt(0).remaining();
        GetResult oneByBytes = store.get("T", 0, 0, 32, size + size / 2, MessageFilter.ALL);
        assertThat(bodies(oneByBytes)).containsExactly("m0");
        assertThat(oneByBytes.nextBeginOffset()).isEqualTo(1);
        assertThat(bodies(store.get("T", 0, 0, 32, 1, MessageFilter.ALL)))
            .as("the first record is returned even if larger than maxBytes").containsExactly("m0");

        GetResult copies = store.getCopies("T", 0, 4, 32, 0, MessageFilter.ALL);
        assertResult(copies, GetResult.Status.FOUND, 6, 0, 6);
        assertThat(bodies(copies)).containsExactly("m4", "m5");
        assertThat(copies.records().get(0).isReadOnly()).isFalse();
    }

    @Test
    void timestampsMapToOffsetsByBoundary() {
        assertThat(store.offsetForTimestamp("T", 0, T0, TimeBoundary.LOWER)).isZero();
        store.add("T", 0, "a", null, 1000);
        store.add("T", 0, "b", null, 2000);
        store.add("T", 0, "c", null, 2000);
        store.add("T", 0, "d", null, 3000);

        assertThat(store.offsetForTimestamp("T", 0, 2000, TimeBoundary.LOWER)).isEqualTo(1);
        assertThat(store.offsetForTimestamp("T", 0, 2000, TimeBoundary.UPPER)).isEqualTo(2);
        assertThat(store.offsetForTimestamp("T", 0, 2500, TimeBoundary.LOWER)).isEqualTo(3);
        assertThat(store.offsetForTimestamp("T", 0, 2500, TimeBoundary.UPPER)).isEqualTo(2);
        assertThat(store.offsetForTimestamp("T", 0, 500, TimeBoundary.LOWER)).isZero();
        assertThat(store.offsetForTimestamp("T", 0, 500, TimeBoundary.UPPER)).isZero();
        assertThat(store.offsetForTimestamp("T", 0, 9000, TimeBoundary.LOWER)).isEqualTo(4);
        assertThat(store.offsetForTimestamp("T", 0, 9000, TimeBoundary.UPPER)).isEqualTo(3);
    }

    @Test
    void queriesMatchKeysOrUniqueKeysOfOneTopicWithinTheTimeRange() {
        long a = store.addWithProperties("T", 0, "a", Map.of("KEYS", "order-1 user-7", "UNIQ_KEY", "U-A"), 1000);
        long b = store.addWithProperties("T", 1, "b", Map.of("KEYS", "order-1"), 2000);
        store.addWithProperties("Other", 0, "c", Map.of("KEYS", "order-1", "UNIQ_KEY", "U-A"), 2000);
        store.addWithProperties("T", 0, "d", Map.of("KEYS", "order-10"), 2000);

        assertThat(store.query("T", "order-1", false, 10, 0, Long.MAX_VALUE))
            .containsExactly(store.recordAt(a), store.recordAt(b));
        assertThat(store.query("T", "user-7", false, 10, 0, Long.MAX_VALUE)).containsExactly(store.recordAt(a));
        assertThat(store.query("T", "U-A", true, 10, 0, Long.MAX_VALUE)).containsExactly(store.recordAt(a));
        assertThat(store.query("T", "U-A", false, 10, 0, Long.MAX_VALUE)).as("a unique key is not a key").isEmpty();
        assertThat(store.query("T", "order-1", false, 1, 0, Long.MAX_VALUE)).containsExactly(store.recordAt(a));
        assertThat(store.query("T", "order-1", false, 10, 1500, 2500)).containsExactly(store.recordAt(b));
        assertThat(store.query("T", "nope", false, 10, 0, Long.MAX_VALUE)).isEmpty();
    }

    /** The same messages in a real MessageStore: every read and time lookup of a grid answers the same. */
    @Test
    void readsAgreeWithTheRealStore(@TempDir Path dir) {
        AtomicLong now = new AtomicLong(T0);
        StoreConfig config = StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024);
        try (MessageStore real = new MessageStore(config, now::get)) {
            real.start();
            long[] times = {T0, T0 + 10, T0 + 10, T0 + 20, T0 + 30, T0 + 30};
            for (int i = 0; i < times.length; i++) {
                String tag = i % 3 == 0 ? null : i % 3 == 1 ? "A" : "B";
                Map<String, String> props = new LinkedHashMap<>();
                if (tag != null) {
                    props.put(MessageProperties.TAGS, tag);
                }
                byte[] body = ("body-" + i).getBytes(StandardCharsets.UTF_8);
                MessageDraft d = new MessageDraft().topic("T").queueId(1).bornTimestamp(times[i] - 1)
                    .bornHost(FakeReader.BORN_HOST).bornPort(FakeReader.BORN_PORT).storeHost(FakeReader.STORE_HOST)
                    .storePort(FakeReader.STORE_PORT).properties(MessageProperties.encode(props))
                    .tagsCode(MessageDraft.tagsCodeOf(props)).body(body, 0, body.length);
                now.set(times[i]);
                assertThat(real.put(List.of(d), false).join().status()).isEqualTo(PutResult.Status.PUT_OK);
                store.addWithProperties("T", 1, "body-" + i, props, times[i]);
            }
            int size = store.recordAt(0).remaining();
            List<MessageFilter> filters = List.of(MessageFilter.ALL, tag("A"), tag("C"));
            for (long offset = -1; offset <= 8; offset++) {
                for (int maxCount : new int[] {1, 2, 32}) {
                    for (int maxBytes : new int[] {0, 1, 2 * size + 1}) {
                        for (MessageFilter f : filters) {
                            GetResult want = real.get("T", 1, offset, maxCount, maxBytes, f);
                            GetResult got = store.get("T", 1, offset, maxCount, maxBytes, f);
                            String what = "offset " + offset + " count " + maxCount + " bytes " + maxBytes;
                            assertThat(got.status()).as(what).isEqualTo(want.status());
                            assertThat(got.nextBeginOffset()).as(what).isEqualTo(want.nextBeginOffset());
                            assertThat(got.minOffset()).as(what).isEqualTo(want.minOffset());
                            assertThat(got.maxOffset()).as(what).isEqualTo(want.maxOffset());
                            assertThat(bodies(got)).as(what).isEqualTo(bodies(want));
                            want.release();
                        }
                    }
                }
            }
            for (long t = T0 - 5; t <= T0 + 35; t += 5) {
                for (TimeBoundary b : TimeBoundary.values()) {
                    assertThat(store.offsetForTimestamp("T", 1, t, b)).as("%s at %d", b, t)
                        .isEqualTo(real.offsetForTimestamp("T", 1, t, b));
                }
            }
            assertThat(store.get("U", 0, 0, 1, 0, MessageFilter.ALL).status())
                .isEqualTo(real.get("U", 0, 0, 1, 0, MessageFilter.ALL).status());
            assertThat(store.minOffset("U", 0)).isEqualTo(real.minOffset("U", 0));
            assertThat(store.maxOffset("U", 0)).isEqualTo(real.maxOffset("U", 0));
            assertThat(store.earliestStoreTimestamp("T", 1)).isEqualTo(real.earliestStoreTimestamp("T", 1));
        }
    }
}
