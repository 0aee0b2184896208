package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: frames pinned from the official 5.1.4 classes, 5.x-only fields included, decode to the sent values. */
@Timeout(10)
class Official514HeaderFramesTest {

    /** Decodes one pinned frame and checks the command-level fields a 5.1.4 client wrote. */
    private static RemotingCommand frame(String hex, SerializeType type, int code, int opaque) {
        RemotingCommand c = OfficialFrames.decodeFrame(OfficialFrames.bytes(hex), type);
        assertThat(c.code()).as("code").isEqualTo(code);
        assertThat(c.opaque()).as("opaque").isEqualTo(opaque);
        assertThat(c.flag()).as("flag").isZero();
        assertThat(c.version()).as("version").isEqualTo(Official514Frames.VERSION_5_1_4);
        assertThat(c.body()).as("body").isNull();
        return c;
    }

    @Test
    void sendMessageV2() {
        SendMessageRequestHeader expected = new SendMessageRequestHeader("PG", "T", "TBW102", 4, 2, 0,
            1_700_000_000_123L, 0, "UNIQ_KEY\u0001AC1100010001\u0002WAIT\u0001true\u0002TAGS\u0001TagA", 0, false,
            null, false, "broker-a");
        assertThat(SendMessageRequestHeader.decode(
            frame(Official514Frames.SEND_V2_JSON, SerializeType.JSON, RequestCode.SEND_MESSAGE_V2, 0)))
            .isEqualTo(expected);
        assertThat(SendMessageRequestHeader.decode(
            frame(Official514Frames.SEND_V2_ROCKETMQ, SerializeType.ROCKETMQ, RequestCode.SEND_MESSAGE_V2, 1)))
            .isEqualTo(expected);
    }

    @Test
    void litePullMessageCode361() {
        PullMessageRequestHeader expected = new PullMessageRequestHeader("LG", "T", 1, 40L, 10, 0x16, 0L, 20_000L,
            "TagA || TagB", 0L, "TAG", null);
        assertThat(PullMessageRequestHeader.decode(
            frame(Official514Frames.LITE_PULL_JSON, SerializeType.JSON, RequestCode.LITE_PULL_MESSAGE, 2)))
            .isEqualTo(expected);
        assertThat(PullMessageRequestHeader.decode(
            frame(Official514Frames.LITE_PULL_ROCKETMQ, SerializeType.ROCKETMQ, RequestCode.LITE_PULL_MESSAGE, 3)))
            .isEqualTo(expected);
    }

    @Test
    void pullMessageWithMaxMsgBytes() {
        PullMessageRequestHeader expected = new PullMessageRequestHeader("G", "T", 3, 7L, 32, 0x3, 6L, 15_000L, null,
            1_700_000_000_456L, "TAG", 262_144);
        assertThat(PullMessageRequestHeader.decode(
            frame(Official514Frames.PULL_MAXBYTES_JSON, SerializeType.JSON, RequestCode.PULL_MESSAGE, 4)))
            .isEqualTo(expected);
        assertThat(PullMessageRequestHeader.decode(
            frame(Official514Frames.PULL_MAXBYTES_ROCKETMQ, SerializeType.ROCKETMQ, RequestCode.PULL_MESSAGE, 5)))
            .isEqualTo(expected);
    }

    @Test
    void searchOffsetWithBoundaryTypeAsTheEnumNameIsSent() {
        // 5.1.4 writes the enum constant's name, upper case; the decoder hands it on unchanged.
        RequestHeaders.SearchOffset expected = new RequestHeaders.SearchOffset("T", 5, 1_700_000_000_789L, "UPPER");
        assertThat(RequestHeaders.SearchOffset.decode(frame(Official514Frames.SEARCH_OFFSET_JSON, SerializeType.JSON,
            RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, 6))).isEqualTo(expected);
        assertThat(RequestHeaders.SearchOffset.decode(frame(Official514Frames.SEARCH_OFFSET_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, 7))).isEqualTo(expected);
    }

    @Test
    void queryConsumerOffsetWithSetZeroIfNotFound() {
        RequestHeaders.QueryConsumerOffset expected = new RequestHeaders.QueryConsumerOffset("G", "T", 6, false);
        assertThat(RequestHeaders.QueryConsumerOffset.decode(frame(Official514Frames.QUERY_OFFSET_JSON,
            SerializeType.JSON, RequestCode.QUERY_CONSUMER_OFFSET, 8))).isEqualTo(expected);
        assertThat(RequestHeaders.QueryConsumerOffset.decode(frame(Official514Frames.QUERY_OFFSET_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.QUERY_CONSUMER_OFFSET, 9))).isEqualTo(expected);
    }

    @Test
    void createTopicWithAttributes() {
        RequestHeaders.CreateTopic expected = new RequestHeaders.CreateTopic("NewTopic", "TBW102", 8, 6, 6,
            "SINGLE_TAG", 0, true, "+message.type=FIFO");
        assertThat(RequestHeaders.CreateTopic.decode(frame(Official514Frames.CREATE_TOPIC_JSON, SerializeType.JSON,
            RequestCode.UPDATE_AND_CREATE_TOPIC, 10))).isEqualTo(expected);
        assertThat(RequestHeaders.CreateTopic.decode(frame(Official514Frames.CREATE_TOPIC_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.UPDATE_AND_CREATE_TOPIC, 11))).isEqualTo(expected);
    }

    @Test
    void registerBrokerWithHeartbeatTimeout() {
        RequestHeaders.RegisterBroker expected = new RequestHeaders.RegisterBroker("broker-a", "10.0.0.1:10911",
            "DefaultCluster", "10.0.0.1:10912", 0L, false, -123_456_789, 30_000L);
        assertThat(RequestHeaders.RegisterBroker.decode(frame(Official514Frames.REGISTER_BROKER_JSON,
            SerializeType.JSON, RequestCode.REGISTER_BROKER, 12))).isEqualTo(expected);
        assertThat(RequestHeaders.RegisterBroker.decode(frame(Official514Frames.REGISTER_BROKER_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.REGISTER_BROKER, 13))).isEqualTo(expected);
    }

    @Test
    void getTopicConfig() {
        assertThat(RequestHeaders.Topic.decode(frame(Official514Frames.GET_TOPIC_CONFIG_JSON, SerializeType.JSON,
            RequestCode.GET_TOPIC_CONFIG, 14))).isEqualTo(new RequestHeaders.Topic("T"));
        assertThat(RequestHeaders.Topic.decode(frame(Official514Frames.GET_TOPIC_CONFIG_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.GET_TOPIC_CONFIG, 15))).isEqualTo(new RequestHeaders.Topic("T"));
    }

    @Test
    void getMaxOffsetIgnoresTheCommittedFlag() {
        assertThat(RequestHeaders.TopicQueue.decode(frame(Official514Frames.GET_MAX_OFFSET_JSON, SerializeType.JSON,
            RequestCode.GET_MAX_OFFSET, 16))).isEqualTo(new RequestHeaders.TopicQueue("T", 4));
        assertThat(RequestHeaders.TopicQueue.decode(frame(Official514Frames.GET_MAX_OFFSET_ROCKETMQ,
            SerializeType.ROCKETMQ, RequestCode.GET_MAX_OFFSET, 17))).isEqualTo(new RequestHeaders.TopicQueue("T", 4));
    }
}
