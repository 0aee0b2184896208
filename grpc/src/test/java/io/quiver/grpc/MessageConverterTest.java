package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageConverterTest {
    private static Message.Builder message() {
        return Message.newBuilder().setTopic(Resource.newBuilder().setName("T"))
            .setSystemProperties(SystemProperties.newBuilder().setMessageId("ID1").setTag("tagA").addKeys("k1").addKeys("k2")
                .setMessageType(MessageType.NORMAL).setBornHost("host-1"))
            .setBody(ByteString.copyFromUtf8("hello"));
    }

    @Test
    void aValidMessageBecomesTheSamePropertiesARemotingProducerWouldSend() {
        Message m = message().putUserProperties("color", "red").build();
        assertThat(MessageConverter.check(m, 1024)).isNull();
        Map<String, String> p = MessageConverter.properties(m, "T");
        assertThat(p).containsEntry("color", "red").containsEntry(MessageProperties.TAGS, "tagA")
            .containsEntry(MessageProperties.KEYS, "k1 k2").containsEntry(MessageProperties.UNIQ_KEY, "ID1")
            .containsEntry(MessageProperties.PGROUP, "T").containsEntry("__BORNHOST", "host-1")
            .doesNotContainKey(MessageProperties.TRAN_MSG);
    }

    @Test
    void typedFieldsBecomeTheirProperties() {
        Message fifo = message().setSystemProperties(message().getSystemProperties().toBuilder().setMessageGroup("g1")
            .setMessageType(MessageType.FIFO)).build();
        assertThat(MessageConverter.properties(fifo, "T")).containsEntry("__SHARDINGKEY", "g1");
        Message delay = message().setSystemProperties(message().getSystemProperties().toBuilder()
            .setDeliveryTimestamp(Timestamps.fromMillis(123_456)).setMessageType(MessageType.DELAY)).build();
        assertThat(MessageConverter.properties(delay, "T")).containsEntry("TIMER_DELIVER_MS", "123456");
        Message tx = message().setSystemProperties(message().getSystemProperties().toBuilder()
            .setMessageType(MessageType.TRANSACTION)).build();
        assertThat(MessageConverter.properties(tx, "T")).containsEntry(MessageProperties.TRAN_MSG, "true");
        assertThat(MessageConverter.sysFlag(tx)).isEqualTo(4);
    }

    @Test
    void badFieldsAreRefusedWithTheirOwnCodes() {
        assertThat(MessageConverter.check(message().putUserProperties("UNIQ_KEY", "x").build(), 1024).code())
            .isEqualTo(Code.ILLEGAL_MESSAGE_PROPERTY_KEY);
        assertThat(MessageConverter.check(message().putUserProperties("a\u0001b", "x").build(), 1024).code())
            .isEqualTo(Code.ILLEGAL_MESSAGE_PROPERTY_KEY);
        assertThat(MessageConverter.check(message().putUserProperties("a", "x\u0002y").build(), 1024).code())
            .isEqualTo(Code.ILLEGAL_MESSAGE_PROPERTY_KEY);
        assertThat(MessageConverter.check(message().setSystemProperties(message().getSystemProperties().toBuilder()
            .setTag("a|b")).build(), 1024).code()).isEqualTo(Code.ILLEGAL_MESSAGE_TAG);
        assertThat(MessageConverter.check(message().setSystemProperties(message().getSystemProperties().toBuilder()
            .setMessageGroup("g".repeat(64))).build(), 1024).code()).isEqualTo(Code.ILLEGAL_MESSAGE_GROUP);
        assertThat(MessageConverter.check(message().setSystemProperties(message().getSystemProperties().toBuilder()
            .setMessageId("")).build(), 1024).code()).isEqualTo(Code.ILLEGAL_MESSAGE_ID);
        assertThat(MessageConverter.check(message().build(), 4).code()).isEqualTo(Code.MESSAGE_BODY_TOO_LARGE);
        Message.Builder many = message();
        for (int i = 0; i < 129; i++) {
            many.putUserProperties("p" + i, "v");
        }
        assertThat(MessageConverter.check(many.build(), 1024).code()).isEqualTo(Code.MESSAGE_PROPERTIES_TOO_LARGE);
    }

    @Test
    void aStoredRedeliveryReadsAsItsTopicWithItsPropertiesDigestAndAttempt() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.UNIQ_KEY, "ID9");
        props.put(MessageProperties.TAGS, "tagB");
        props.put(MessageProperties.KEYS, "a b");
        props.put(MessageProperties.RETRY_TOPIC, "Orders");
        props.put("color", "blue");
        DecodedMessage d = new DecodedMessage();
        d.topic = "%RETRY%G_Orders";
        d.properties = MessageProperties.encode(props);
        d.body = "payload".getBytes(StandardCharsets.UTF_8);
        d.bornHost = new byte[] {127, 0, 0, 1};
        d.storeHost = new byte[] {127, 0, 0, 1};
        d.storePort = 10911;
        d.reconsumeTimes = 2;
        d.queueId = 1;
        d.queueOffset = 5;
        assertThat(MessageConverter.consumerTopic(d)).isEqualTo("Orders");
        Message m = MessageConverter.toGrpc(d, "Orders", "", "h");
        assertThat(m.getTopic().getName()).isEqualTo("Orders");
        assertThat(m.getUserPropertiesMap()).containsExactly(Map.entry("color", "blue"));
        assertThat(m.getSystemProperties().getMessageId()).isEqualTo("ID9");
        assertThat(m.getSystemProperties().getTag()).isEqualTo("tagB");
        assertThat(m.getSystemProperties().getKeysList()).containsExactly("a", "b");
        assertThat(m.getSystemProperties().getDeliveryAttempt()).isEqualTo(3);
        assertThat(m.getSystemProperties().getReceiptHandle()).isEqualTo("h");
        assertThat(m.getSystemProperties().getStoreHost()).isEqualTo("127.0.0.1:10911");
        assertThat(m.getSystemProperties().getBodyDigest().getChecksum()).isEqualTo("321C3CF486ED509164EDEC1E1981FEC8");
        assertThat(m.getSystemProperties().getMessageType()).isEqualTo(MessageType.NORMAL);
    }
}
