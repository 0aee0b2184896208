package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: send headers (codes 10, 310, 320) from the official 4.9.8 producer decode to the sent values. */
@Timeout(10)
class SendMessageHeaderGoldenTest {

    private static final String PROPS = "UNIQ_KEY\u00017F00000100002A9F0000000000000000\u0002WAIT\u0001true"
        + "\u0002KEYS\u0001订单-1 \"k2\" back\\slash\ttab\nline 😀\u0002TAGS\u0001TagA";
    private static final byte[] BODY = "hello, 世界".getBytes(StandardCharsets.UTF_8);

    /** The header an official producer fills for a plain send to queue 2 of topic T. */
    private static org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader official() {
        org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader h =
            new org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader();
        h.setProducerGroup("PG");
        h.setTopic("TopicA");
        h.setDefaultTopic("TBW102");
        h.setDefaultTopicQueueNums(4);
        h.setQueueId(2);
        h.setSysFlag(0x4);
        h.setBornTimestamp(1_700_000_000_123L);
        h.setFlag(7);
        h.setProperties(PROPS);
        h.setReconsumeTimes(0);
        h.setUnitMode(false);
        h.setBatch(false);
        h.setBname("broker-a");
        return h;
    }

    private static final SendMessageRequestHeader EXPECTED = new SendMessageRequestHeader("PG", "TopicA", "TBW102",
        4, 2, 0x4, 1_700_000_000_123L, 7, PROPS, 0, false, null, false, "broker-a");

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendMessageV2(SerializeType type) {
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEND_MESSAGE_V2,
            SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(official()), type, r -> r.setBody(BODY));
        assertThat(SendMessageRequestHeader.decode(c)).isEqualTo(EXPECTED);
        assertThat(c.body()).isEqualTo(BODY);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendMessageV1LongFieldNames(SerializeType type) {
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEND_MESSAGE, official(), type,
            r -> r.setBody(BODY));
        assertThat(SendMessageRequestHeader.decode(c)).isEqualTo(EXPECTED);
        assertThat(c.body()).isEqualTo(BODY);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendBatchMessage(SerializeType type) {
        org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader h = official();
        h.setBatch(true);
        h.setProperties(null);
        h.setQueueId(0);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEND_BATCH_MESSAGE,
            SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h), type, r -> r.setBody(BODY));
        assertThat(SendMessageRequestHeader.decode(c)).isEqualTo(new SendMessageRequestHeader("PG", "TopicA", "TBW102",
            4, 0, 0x4, 1_700_000_000_123L, 7, null, 0, false, null, true, "broker-a"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void retrySendCarriesReconsumeCountsV2(SerializeType type) {
        org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader h = official();
        h.setTopic("%RETRY%GroupA");
        h.setReconsumeTimes(3);
        h.setMaxReconsumeTimes(16);
        h.setUnitMode(true);
        h.setQueueId(-1);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEND_MESSAGE_V2,
            SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h), type, r -> r.setBody(BODY));
        assertThat(SendMessageRequestHeader.decode(c)).isEqualTo(new SendMessageRequestHeader("PG", "%RETRY%GroupA",
            "TBW102", 4, -1, 0x4, 1_700_000_000_123L, 7, PROPS, 3, true, 16, false, "broker-a"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void retrySendCarriesReconsumeCountsV1(SerializeType type) {
        org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader h = official();
        h.setTopic("%RETRY%GroupA");
        h.setReconsumeTimes(3);
        h.setMaxReconsumeTimes(16);
        h.setBname(null);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEND_MESSAGE, h, type, r -> r.setBody(BODY));
        assertThat(SendMessageRequestHeader.decode(c)).isEqualTo(new SendMessageRequestHeader("PG", "%RETRY%GroupA",
            "TBW102", 4, 2, 0x4, 1_700_000_000_123L, 7, PROPS, 3, false, 16, false, null));
    }
}
