package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.apache.rocketmq.common.protocol.header.CreateTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.DeleteTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryTopicConsumeByWhoRequestHeader;
import org.apache.rocketmq.common.protocol.header.ViewMessageRequestHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: broker admin headers (codes 17, 33, 215, 300) as 4.9.8 mqadmin encodes them decode to the sent values. */
@Timeout(10)
class AdminHeadersGoldenTest {

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void createTopic(SerializeType type) {
        CreateTopicRequestHeader h = new CreateTopicRequestHeader();
        h.setTopic("NewTopic");
        h.setDefaultTopic("TBW102");
        h.setReadQueueNums(8);
        h.setWriteQueueNums(6);
        h.setPerm(4);
        h.setTopicFilterType("MULTI_TAG");
        h.setTopicSysFlag(2);
        h.setOrder(true);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UPDATE_AND_CREATE_TOPIC, h, type);
        assertThat(RequestHeaders.CreateTopic.decode(c)).isEqualTo(new RequestHeaders.CreateTopic(
            "NewTopic", "TBW102", 8, 6, 4, "MULTI_TAG", 2, true, null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void createTopicWithoutOptionalFields(SerializeType type) {
        CreateTopicRequestHeader h = new CreateTopicRequestHeader();
        h.setTopic("Plain");
        h.setReadQueueNums(1);
        h.setWriteQueueNums(2);
        h.setPerm(6);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UPDATE_AND_CREATE_TOPIC, h, type);
        assertThat(RequestHeaders.CreateTopic.decode(c)).isEqualTo(new RequestHeaders.CreateTopic(
            "Plain", null, 1, 2, 6, null, 0, false, null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void deleteTopicInBroker(SerializeType type) {
        DeleteTopicRequestHeader h = new DeleteTopicRequestHeader();
        h.setTopic("OldTopic");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_TOPIC_IN_BROKER, h, type);
        assertThat(RequestHeaders.Topic.decode(c)).isEqualTo(new RequestHeaders.Topic("OldTopic"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void queryTopicConsumeByWho(SerializeType type) {
        QueryTopicConsumeByWhoRequestHeader h = new QueryTopicConsumeByWhoRequestHeader();
        h.setTopic("TopicA");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, h, type);
        assertThat(RequestHeaders.Topic.decode(c)).isEqualTo(new RequestHeaders.Topic("TopicA"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void viewMessageById(SerializeType type) {
        ViewMessageRequestHeader h = new ViewMessageRequestHeader();
        h.setOffset(281_474_976_710_655L);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.VIEW_MESSAGE_BY_ID, h, type);
        assertThat(RequestHeaders.ViewMessageById.decode(c))
            .isEqualTo(new RequestHeaders.ViewMessageById(281_474_976_710_655L));
    }
}
