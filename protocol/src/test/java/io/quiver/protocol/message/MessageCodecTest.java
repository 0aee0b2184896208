package io.quiver.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: record layout, properties string, batch bodies and offset message ids. */
@Timeout(10)
class MessageCodecTest {

    @Test
    void recordRoundTripsEveryFieldIncludingIpv6BornHost() {
        MessageDraft d = new MessageDraft();
        d.topic("Tópic");
        d.queueId(3);
        d.flag(77);
        d.sysFlag(MessageSysFlag.COMPRESSED);
        d.bornTimestamp(123456789L);
        d.bornHost(new byte[16]);
        d.bornHost()[15] = 1;
        d.bornPort(5555);
        d.storeHost(new byte[] {10, 0, 0, 9});
        d.storePort(10911);
        d.reconsumeTimes(2);
        d.preparedTransactionOffset(99);
        byte[] body = "xxhello".getBytes(StandardCharsets.UTF_8);
        d.body(body, 2, 5);
        d.properties("TAGS\u0001A\u0002KEYS\u0001k");
        int size = d.encodedSize();
        ByteBuffer buf = ByteBuffer.allocate(size + 10);
        buf.position(10);
        MessageRecord.write(buf, d, size, d.bodyCrc(), 41, 4096, 1_700_000_000_000L);
        assertThat(buf.position()).isEqualTo(10 + size);
        DecodedMessage m = MessageRecord.decode(buf, 10);
        assertThat(m.totalSize).isEqualTo(size);
        assertThat(m.topic).isEqualTo("Tópic");
        assertThat(m.queueId).isEqualTo(3);
        assertThat(m.flag).isEqualTo(77);
        assertThat(m.sysFlag & MessageSysFlag.BORNHOST_V6).isNotZero();
        assertThat(m.sysFlag & MessageSysFlag.STOREHOST_V6).isZero();
        assertThat(m.sysFlag & MessageSysFlag.COMPRESSED).isNotZero();
        assertThat(m.queueOffset).isEqualTo(41);
        assertThat(m.physicalOffset).isEqualTo(4096);
        assertThat(m.bornHost).hasSize(16);
        assertThat(m.bornPort).isEqualTo(5555);
        assertThat(m.storeTimestamp).isEqualTo(1_700_000_000_000L);
        assertThat(m.storeHost).containsExactly(10, 0, 0, 9);
        assertThat(m.reconsumeTimes).isEqualTo(2);
        assertThat(m.preparedTransactionOffset).isEqualTo(99);
        assertThat(new String(m.body, StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(m.propertyMap()).containsEntry("TAGS", "A").containsEntry("KEYS", "k");
        assertThat(m.offsetMsgId()).isEqualTo(MessageId.offsetId(new byte[] {10, 0, 0, 9}, 10911, 4096));
        assertThat(MessageRecord.storeTimestampPos(buf, 10) + 10).isEqualTo(10 + 48 + 20);
    }

    @Test
    void decodeRejectsBytesThatAreNotARecord() {
        ByteBuffer junk = ByteBuffer.allocate(200);
        junk.putInt(0, 150).putInt(4, 12345);
        assertThatThrownBy(() -> MessageRecord.decode(junk, 0)).hasMessageContaining("magic");
        junk.putInt(0, 5000);
        assertThatThrownBy(() -> MessageRecord.decode(junk, 0)).hasMessageContaining("out of range");
    }

    @Test
    void propertiesParseBothTrailingFormsAndDropEmptyParts() {
        assertThat(MessageProperties.parse("A\u00011\u0002B\u00012")).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
        assertThat(MessageProperties.parse("A\u00011\u0002B\u00012\u0002")).hasSize(2);
        assertThat(MessageProperties.parse("\u0001x\u0002K\u0001\u0002noValue\u0002C\u0001a\u0001b")).containsExactly(
            Map.entry("C", "a\u0001b"));
        assertThat(MessageProperties.parse(null)).isEmpty();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("X", "1");
        m.put("Y", null);
        m.put("Z", "3");
        assertThat(MessageProperties.encode(m)).isEqualTo("X\u00011\u0002Z\u00013");
    }

    private static byte[] batchEntry(int flag, String body, String props) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] p = props.getBytes(StandardCharsets.UTF_8);
        int total = 20 + b.length + 2 + p.length;
        return ByteBuffer.allocate(total).putInt(total).putInt(0).putInt(0).putInt(flag).putInt(b.length).put(b)
            .putShort((short) p.length).put(p).array();
    }

    @Test
    void batchBodySplitsEntriesAndRejectsInconsistentLengths() {
        byte[] one = batchEntry(1, "first", "UNIQ_KEY\u0001AA");
        byte[] two = batchEntry(2, "second", "UNIQ_KEY\u0001BB");
        byte[] all = ByteBuffer.allocate(one.length + two.length).put(one).put(two).array();
        List<BatchBody.Entry> entries = BatchBody.split(all);
        assertThat(entries).hasSize(2);
        assertThat(entries.get(1).flag()).isEqualTo(2);
        assertThat(new String(all, entries.get(1).bodyOffset(), entries.get(1).bodyLength(), StandardCharsets.UTF_8))
            .isEqualTo("second");
        assertThat(entries.get(0).properties()).isEqualTo("UNIQ_KEY\u0001AA");
        byte[] broken = all.clone();
        ByteBuffer.wrap(broken).putInt(16, 10_000);
        assertThatThrownBy(() -> BatchBody.split(broken)).hasMessageContaining("inconsistent");
        assertThatThrownBy(() -> BatchBody.split(new byte[] {0, 0, 0, 1})).hasMessageContaining("truncated");
        assertThatThrownBy(() -> BatchBody.split(new byte[0])).hasMessageContaining("empty");
    }

    @Test
    void offsetMessageIdEncodesAddressPortAndOffset() {
        String id = MessageId.offsetId(new byte[] {127, 0, 0, 1}, 10911, 0x1234);
        assertThat(id).isEqualTo("7F00000100002A9F0000000000001234");
        MessageId.Decoded d = MessageId.decode(id);
        assertThat(d.address().getPort()).isEqualTo(10911);
        assertThat(d.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(d.commitLogOffset()).isEqualTo(0x1234);
        assertThatThrownBy(() -> MessageId.decode("ABC")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topicValidationExplainsTheProblem() {
        assertThat(TopicNames.validate("Good_Topic-1%|x")).isNull();
        assertThat(TopicNames.validate("")).contains("empty");
        assertThat(TopicNames.validate("a b")).contains("' '");
        assertThat(TopicNames.validate("x".repeat(128))).contains("127");
    }
}
