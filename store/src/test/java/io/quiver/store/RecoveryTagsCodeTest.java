package io.quiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.MessageDraft;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery re-indexes records with the tag code the store's rule derives from each record (delayed
 * records keep their due time, not their tag hash), and without a rule with the tag hash.
 */
@Timeout(30)
class RecoveryTagsCodeTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private StoreConfig config() {
        return StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024).withSegmentBytes(256 * 1024);
    }

    /** Stores the drafts, then wipes the consume queues and the checkpoint as a crash would leave them. */
    private void storeAndCrash(List<MessageDraft> drafts) throws Exception {
        MessageStore s = new MessageStore(config(), now::get);
        s.start();
        for (MessageDraft d : drafts) {
            assertThat(s.put(List.of(d), true).join().status()).isEqualTo(PutResult.Status.PUT_OK);
        }
        // No close: the abort marker stays. Zero the queues so every entry must come from recovery.
        try (Stream<Path> files = Files.walk(dir.resolve("consumequeue"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.write(p, new byte[(int) Files.size(p)]);
            }
        }
        Files.delete(dir.resolve("checkpoint"));
    }

    @Test
    void theRuleGivesReindexedRecordsTheirDueTime() throws Exception {
        MessageDraft delayed = MessageStoreTest.draft("DELAYED", 2, "later", "tagA")
            .properties("TAGS\u0001tagA\u0002DELAY\u00013").deliverDelayMillis(10_000);
        MessageDraft plain = MessageStoreTest.draft("PLAIN", 0, "now", "tagB");
        storeAndCrash(List.of(delayed, plain));
        MessageStore r = new MessageStore(config(), now::get);
        r.recoverTagsCodesWith((topic, props, storeTs) ->
            topic.equals("DELAYED") ? storeTs + 1000L * Long.parseLong(props.get("DELAY")) : props.get("TAGS").hashCode());
        try (r) {
            r.start();
            assertThat(r.tagsCodeAt("DELAYED", 2, 0)).isEqualTo(now.get() + 3_000);
            assertThat(r.tagsCodeAt("PLAIN", 0, 0)).isEqualTo((long) "tagB".hashCode());
        }
    }

    @Test
    void withoutARuleRecoveryUsesTheTagHash() throws Exception {
        storeAndCrash(List.of(MessageStoreTest.draft("T", 0, "m", "tagC"), MessageStoreTest.draft("T", 0, "n", null)));
        try (MessageStore r = new MessageStore(config(), now::get)) {
            r.start();
            assertThat(r.tagsCodeAt("T", 0, 0)).isEqualTo((long) "tagC".hashCode());
            assertThat(r.tagsCodeAt("T", 0, 1)).isZero();
        }
    }
}
