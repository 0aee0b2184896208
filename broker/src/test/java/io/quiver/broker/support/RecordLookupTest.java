package io.quiver.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.testing.TestStores;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: a commit-log offset taken from a request finds the record stored there, and any offset outside
 * the commit log (negative, past its end, near Long.MAX_VALUE) finds none instead of reaching the store, whose
 * range check overflowed for offsets near Long.MAX_VALUE (found by FrameFuzzIT through VIEW_MESSAGE_BY_ID and
 * CONSUMER_SEND_MSG_BACK; END_TRANSACTION reads the same way).
 */
@Timeout(20)
class RecordLookupTest {
    @TempDir
    Path dir;

    @Test
    void offsetsOutsideTheCommitLogFindNothingAndARecordStartFindsItsRecord() throws Exception {
        MessageStore store = TestStores.started(dir, Clock.SYSTEM);
        try {
            byte[] body = "kept".getBytes(StandardCharsets.UTF_8);
            MessageDraft d = new MessageDraft().topic("TopicA").queueId(0).bornTimestamp(1)
                .bornHost(new byte[] {127, 0, 0, 1}).storeHost(new byte[] {127, 0, 0, 1}).storePort(10911);
            d.body(body, 0, body.length);
            PutResult put = store.put(List.of(d), true).get();
            assertThat(put.isStored()).isTrue();
            long at = store.commitLogMinOffset();

            ByteBuffer found = RecordLookup.at(store, at);
            assertThat(found).isNotNull();
            assertThat(new String(MessageRecord.decode(found, 0).body, StandardCharsets.UTF_8)).isEqualTo("kept");

            for (long offset : new long[] {-1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 4,
                store.commitLogWritePosition(), store.commitLogWritePosition() + 1}) {
                assertThat(RecordLookup.at(store, offset)).as("offset %d", offset).isNull();
            }
        } finally {
            store.close();
        }
    }
}
