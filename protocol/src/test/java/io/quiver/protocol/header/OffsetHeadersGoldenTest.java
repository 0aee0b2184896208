package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.apache.rocketmq.common.protocol.header.GetEarliestMsgStoretimeRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetMaxOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetMinOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.SearchOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: offset headers (codes 14, 15, 29-32) from the official 4.9.8 client decode to the sent values. */
@Timeout(10)
class OffsetHeadersGoldenTest {

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getMaxOffset(SerializeType type) {
        GetMaxOffsetRequestHeader h = new GetMaxOffsetRequestHeader();
        h.setTopic("TopicA");
        h.setQueueId(3);
        h.setBname("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_MAX_OFFSET, h, type);
        assertThat(RequestHeaders.TopicQueue.decode(c)).isEqualTo(new RequestHeaders.TopicQueue("TopicA", 3));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getMinOffset(SerializeType type) {
        GetMinOffsetRequestHeader h = new GetMinOffsetRequestHeader();
        h.setTopic("TopicB");
        h.setQueueId(7);
        h.setBname("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_MIN_OFFSET, h, type);
        assertThat(RequestHeaders.TopicQueue.decode(c)).isEqualTo(new RequestHeaders.TopicQueue("TopicB", 7));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getEarliestMsgStoreTime(SerializeType type) {
        GetEarliestMsgStoretimeRequestHeader h = new GetEarliestMsgStoretimeRequestHeader();
        h.setTopic("%RETRY%GroupC");
        h.setQueueId(0);
        h.setBname("broker-b");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_EARLIEST_MSG_STORETIME, h, type);
        assertThat(RequestHeaders.TopicQueue.decode(c)).isEqualTo(new RequestHeaders.TopicQueue("%RETRY%GroupC", 0));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void searchOffsetByTimestamp(SerializeType type) {
        SearchOffsetRequestHeader h = new SearchOffsetRequestHeader();
        h.setTopic("TopicA");
        h.setQueueId(5);
        h.setTimestamp(1_700_000_000_789L);
        h.setBname("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, h, type);
        // 4.9.8 has no boundary type, so the decoder reports none.
        assertThat(RequestHeaders.SearchOffset.decode(c))
            .isEqualTo(new RequestHeaders.SearchOffset("TopicA", 5, 1_700_000_000_789L, null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void queryConsumerOffset(SerializeType type) {
        QueryConsumerOffsetRequestHeader h = new QueryConsumerOffsetRequestHeader();
        h.setConsumerGroup("GroupA");
        h.setTopic("TopicA");
        h.setQueueId(6);
        h.setBname("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.QUERY_CONSUMER_OFFSET, h, type);
        assertThat(RequestHeaders.QueryConsumerOffset.decode(c))
            .isEqualTo(new RequestHeaders.QueryConsumerOffset("GroupA", "TopicA", 6, null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void updateConsumerOffsetSentOneway(SerializeType type) {
        UpdateConsumerOffsetRequestHeader h = new UpdateConsumerOffsetRequestHeader();
        h.setConsumerGroup("GroupA");
        h.setTopic("TopicA");
        h.setQueueId(2);
        h.setCommitOffset(9_876_543_210L);
        h.setBname("broker-a");
        // Consumers persist offsets with a oneway call.
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UPDATE_CONSUMER_OFFSET, h, type,
            org.apache.rocketmq.remoting.protocol.RemotingCommand::markOnewayRPC);
        assertThat(c.isOneway()).isTrue();
        assertThat(RequestHeaders.UpdateConsumerOffset.decode(c))
            .isEqualTo(new RequestHeaders.UpdateConsumerOffset("GroupA", "TopicA", 2, 9_876_543_210L));
    }
}
