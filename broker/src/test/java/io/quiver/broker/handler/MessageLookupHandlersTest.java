package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.bodyOf;
import static io.quiver.broker.testing.HandlerHarness.records;
import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.testing.FakeReader;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageId;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: MessageLookupHandlers returns the stored record for VIEW_MESSAGE_BY_ID, and the records with a
 * key or unique key within a time range for QUERY_MESSAGE (bounded by maxNum), or the official "not found"
 * codes.
 */
@Timeout(10)
class MessageLookupHandlersTest {
    static final String TOPIC = "TopicA";
    final HandlerHarness h = new HandlerHarness();
    final FakeReader store = new FakeReader();
    final MessageLookupHandlers handlers = new MessageLookupHandlers(store);

    @AfterEach
    void tearDown() {
        h.close();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    RemotingCommand view(long offset) {
        return h.call(handlers::viewMessage, request(RequestCode.VIEW_MESSAGE_BY_ID, "offset", offset));
    }

    RemotingCommand query(String key, boolean unique, int maxNum, long begin, long end) {
        RemotingCommand req = request(RequestCode.QUERY_MESSAGE, "topic", TOPIC, "key", key, "maxNum", maxNum,
            "beginTimestamp", begin, "endTimestamp", end);
        if (unique) {
            req.putExt("_UNIQUE_KEY_QUERY", "true");
        }
        return h.call(handlers::queryMessage, req);
    }

    @Test
    void viewByIdReturnsTheStoredRecordUnchanged() {
        store.add(TOPIC, 0, "first", "A", 1000);
        long offset = store.add(TOPIC, 1, "second", "B", 2000);
        // the client decodes the offset message id into the offset it sends
        assertThat(MessageId.decode(MessageId.offsetId(FakeReader.STORE_HOST, FakeReader.STORE_PORT, offset))
            .commitLogOffset()).isEqualTo(offset);

        RemotingCommand resp = view(offset);

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(HandlerHarness.body(resp)).isEqualTo(bytes(store.recordAt(offset)));
        DecodedMessage m = records(resp).get(0);
        assertThat(bodyOf(m)).isEqualTo("second");
        assertThat(m.physicalOffset).isEqualTo(offset);
        assertThat(m.queueId).isEqualTo(1);
    }

    @Test
    void viewByAnOffsetWithoutARecordIsASystemError() {
        long offset = store.add(TOPIC, 0, "only", null, 1000);
        RemotingCommand resp = view(offset + 3);
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).isEqualTo("can not find message by the offset, " + (offset + 3));
        assertThat(resp.bodyLength()).isZero();
    }

    @Test
    void queryByKeyReturnsEveryMessageWithThatKeyWord() {
        long a = store.addWithProperties(TOPIC, 0, "a", Map.of("KEYS", "order-1 user-9"), 1000);
        store.addWithProperties(TOPIC, 1, "b", Map.of("KEYS", "order-2"), 1500);
        long c = store.addWithProperties(TOPIC, 2, "c", Map.of("KEYS", "order-1"), 2000);
        store.addWithProperties("OtherTopic", 0, "d", Map.of("KEYS", "order-1"), 2000);

        RemotingCommand resp = query("order-1", false, 32, 0, Long.MAX_VALUE);

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        List<DecodedMessage> found = records(resp);
        assertThat(found).extracting(HandlerHarness::bodyOf).containsExactly("a", "c");
        assertThat(found).extracting(m -> m.physicalOffset).containsExactly(a, c);
        assertThat(resp.ext("indexLastUpdatePhyoffset")).isEqualTo(Long.toString(store.indexedUpTo()));
        assertThat(resp.ext("indexLastUpdateTimestamp")).isNotNull();
    }

    @Test
    void queryByUniqueKeyMatchesOnlyTheUniqKeyProperty() {
        store.addWithProperties(TOPIC, 0, "a", Map.of("UNIQ_KEY", "AC1100010000"), 1000);
        store.addWithProperties(TOPIC, 0, "b", Map.of("KEYS", "AC1100010000"), 1000);

        RemotingCommand unique = query("AC1100010000", true, 32, 0, Long.MAX_VALUE);
        assertThat(unique.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(records(unique)).extracting(HandlerHarness::bodyOf).containsExactly("a");

        RemotingCommand byKey = query("AC1100010000", false, 32, 0, Long.MAX_VALUE);
        assertThat(records(byKey)).extracting(HandlerHarness::bodyOf).containsExactly("b");
    }

    @Test
    void queryHonoursTheTimeRangeAndMaxNum() {
        for (int i = 0; i < 4; i++) {
            store.addWithProperties(TOPIC, 0, "m" + i, Map.of("KEYS", "k"), 1000 * (i + 1));
        }
        assertThat(records(query("k", false, 32, 2000, 3000))).extracting(HandlerHarness::bodyOf)
            .containsExactly("m1", "m2");
        assertThat(records(query("k", false, 2, 0, Long.MAX_VALUE))).hasSize(2);
        assertThat(records(query("k", false, 0, 0, Long.MAX_VALUE))).as("at least one").hasSize(1);
    }

    @Test
    void queryWithNoMatchIsQueryNotFound() {
        store.addWithProperties(TOPIC, 0, "a", Map.of("KEYS", "k", "UNIQ_KEY", "U1"), 5000);

        RemotingCommand none = query("missing", false, 32, 0, Long.MAX_VALUE);
        assertThat(none.code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
        assertThat(none.remark()).contains("TopicA", "key missing");
        assertThat(none.bodyLength()).isZero();

        RemotingCommand outOfRange = query("U1", true, 32, 0, 4999);
        assertThat(outOfRange.code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
        assertThat(outOfRange.remark()).contains("unique key U1");
    }
}
