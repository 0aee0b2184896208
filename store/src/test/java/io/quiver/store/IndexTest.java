package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: the message index answers by key and by unique key, honours time ranges and topics, and
 * survives a restart; tiny index files force hash collisions and several files.
 */
@Timeout(60)
class IndexTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000);

    private MessageStore open() {
        MessageStore s = new MessageStore(StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024)
            .withSegmentBytes(256 * 1024).withIndexSize(4, 16), now::get, () -> 0.1);
        s.start();
        return s;
    }

    private static void put(MessageStore s, String topic, String body, String keys, String uniq) {
        MessageDraft d = MessageStoreTest.draft(topic, 0, body, null);
        d.properties("KEYS\u0001" + keys + "\u0002UNIQ_KEY\u0001" + uniq);
        s.put(List.of(d), true).join();
    }

    private static List<String> bodies(List<ByteBuffer> rs) {
        return rs.stream().map(r -> new String(MessageRecord.decode(r, 0).body, StandardCharsets.UTF_8)).sorted().toList();
    }

    private static void awaitIndexed(MessageStore s) {
        await().atMost(Duration.ofSeconds(10)).until(() -> s.indexedUpTo() == s.commitLogWritePosition());
    }

    @Test
    void findsMessagesByKeyAndUniqueKeyWithinTimeAndTopic() throws Exception {
        try (MessageStore s = open()) {
            for (int i = 0; i < 30; i++) {
                now.set(1_000_000 + i * 1_000L);
                put(s, i % 3 == 0 ? "Other" : "T", "m" + i, "order-" + (i % 5) + " all", "U" + i);
            }
            awaitIndexed(s);
            // order-1 in topic T: i = 1, 11, 16, 26 (i % 5 == 1, i % 3 != 0); 6 and 21 are in Other
            assertThat(bodies(s.query("T", "order-1", false, 64, 0, Long.MAX_VALUE)))
                .containsExactly("m1", "m11", "m16", "m26");
            assertThat(bodies(s.query("Other", "order-1", false, 64, 0, Long.MAX_VALUE))).containsExactly("m21", "m6");
            assertThat(bodies(s.query("T", "order-1", false, 64, 1_010_000, 1_020_000))).containsExactly("m11", "m16");
            assertThat(bodies(s.query("T", "U17", true, 32, 0, Long.MAX_VALUE))).containsExactly("m17");
            assertThat(s.query("T", "U18", true, 32, 0, Long.MAX_VALUE)).isEmpty(); // U18 is in Other
            assertThat(s.query("T", "all", false, 5, 0, Long.MAX_VALUE)).hasSize(5);
            assertThat(s.query("T", "nope", false, 5, 0, Long.MAX_VALUE)).isEmpty();
            try (Stream<Path> files = Files.list(dir.resolve("index"))) {
                assertThat(files.count()).as("16-entry files roll over").isGreaterThan(5);
            }
        }
        try (MessageStore again = open()) {
            assertThat(bodies(again.query("T", "order-1", false, 64, 0, Long.MAX_VALUE)))
                .containsExactly("m1", "m11", "m16", "m26");
            put(again, "T", "after", "order-1", "U99");
            awaitIndexed(again);
            assertThat(bodies(again.query("T", "order-1", false, 64, 0, Long.MAX_VALUE))).contains("after").hasSize(5);
        }
    }
}
