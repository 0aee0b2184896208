package io.quiver.broker.send;

import static io.quiver.broker.send.SendFixture.PRODUCER;
import static io.quiver.broker.send.SendFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.message.MessageSysFlag;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: SendRequest decodes V1, V2 and batch send frames (header, body, properties, batch/transaction flags, born host). */
@Timeout(10)
class SendRequestTest {

    @Test
    void decodesTheV2HeaderPropertiesAndProducerAddress() {
        SendRequest r = send("TopicA").queueId(3).flag(7).reconsumeTimes(2).maxReconsumeTimes(5)
            .prop("TAGS", "TagA").prop("KEYS", "k1").prop("UNIQ_KEY", "U1").decode();

        assertThat(r.topic()).isEqualTo("TopicA");
        assertThat(r.header().producerGroup()).isEqualTo("PG");
        assertThat(r.header().defaultTopic()).isEqualTo("TBW102");
        assertThat(r.header().queueId()).isEqualTo(3);
        assertThat(r.header().flag()).isEqualTo(7);
        assertThat(r.header().reconsumeTimes()).isEqualTo(2);
        assertThat(r.header().maxReconsumeTimes()).isEqualTo(5);
        assertThat(r.body()).asString().isEqualTo("hello");
        assertThat(r.batch()).isFalse();
        assertThat(r.transactional()).isFalse();
        assertThat(r.properties()).containsExactly(Map.entry("TAGS", "TagA"), Map.entry("KEYS", "k1"),
            Map.entry("UNIQ_KEY", "U1"));
        assertThat(r.bornHost()).containsExactly(127, 0, 0, 1);
        assertThat(r.bornPort()).isEqualTo(40000);
        assertThat(r.waitDurable()).isTrue();
    }

    @Test
    void decodesTheLongFieldNamesOfSendMessageV1() {
        Map<String, String> ext = new HashMap<>();
        ext.put("producerGroup", "PG");
        ext.put("topic", "TopicB");
        ext.put("defaultTopic", "TBW102");
        ext.put("defaultTopicQueueNums", "4");
        ext.put("queueId", "1");
        ext.put("sysFlag", String.valueOf(MessageSysFlag.TRANSACTION_PREPARED_TYPE));
        ext.put("bornTimestamp", "123");
        ext.put("flag", "0");
        ext.put("properties", "WAIT\u0001false\u0002UNIQ_KEY\u0001X");
        RemotingCommand c = RemotingCommand.request(RequestCode.SEND_MESSAGE).extFields(ext);

        SendRequest r = SendRequest.decode(c, new InetSocketAddress("10.1.2.3", 5555));

        assertThat(r.topic()).isEqualTo("TopicB");
        assertThat(r.header().queueId()).isEqualTo(1);
        assertThat(r.header().reconsumeTimes()).isZero();
        assertThat(r.header().maxReconsumeTimes()).isNull();
        assertThat(r.transactional()).isTrue();
        assertThat(r.batch()).isFalse();
        assertThat(r.body()).isEmpty(); // a frame without body decodes to an empty one, not null
        assertThat(r.waitDurable()).isFalse();
        assertThat(r.properties()).containsEntry("UNIQ_KEY", "X");
        assertThat(r.bornHost()).containsExactly(10, 1, 2, 3);
        assertThat(r.bornPort()).isEqualTo(5555);
    }

    @Test
    void theBatchCodeOrTheBatchFieldMarksABatch() {
        SendFixture.Req byCode = send("TopicA");
        byCode.code = RequestCode.SEND_BATCH_MESSAGE;
        assertThat(byCode.decode().batch()).isTrue();

        SendFixture.Req byField = send("TopicA");
        byField.batch = true; // SEND_MESSAGE_V2 with m=true
        assertThat(byField.decode().batch()).isTrue();

        assertThat(send("TopicA").decode().batch()).isFalse();
    }

    @Test
    void onlyThePreparedTransactionTypeIsTransactional() {
        assertThat(send("T").sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).decode().transactional()).isTrue();
        assertThat(send("T").sysFlag(MessageSysFlag.TRANSACTION_COMMIT_TYPE).decode().transactional()).isFalse();
        assertThat(send("T").sysFlag(MessageSysFlag.MULTI_TAGS).decode().transactional()).isFalse();
    }

    @Test
    void aMissingRequiredFieldIsAProtocolErrorNamingIt() {
        RemotingCommand c = send("TopicA").command();
        c.extFields().remove("b");
        assertThatThrownBy(() -> SendRequest.decode(c, PRODUCER)).isInstanceOf(ProtocolException.class)
            .hasMessageContaining("'b'");
    }
}
