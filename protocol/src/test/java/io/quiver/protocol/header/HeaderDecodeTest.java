package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: typed headers decode the official field names and name missing or bad fields. */
@Timeout(10)
class HeaderDecodeTest {

    @Test
    void sendHeaderV2AndV1DecodeToTheSameValues() {
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", "T", "TBW102", 4, 2, 0, 1700L, 5,
            "TAGS\u0001A", 0, false, null, false, "broker-a");
        RemotingCommand v2 = RemotingCommand.request(RequestCode.SEND_MESSAGE_V2);
        h.encodeV2(v2);
        assertThat(SendMessageRequestHeader.decode(v2)).isEqualTo(h);

        RemotingCommand v1 = RemotingCommand.request(RequestCode.SEND_MESSAGE)
            .putExt("producerGroup", "PG").putExt("topic", "T").putExt("defaultTopic", "TBW102")
            .putExt("defaultTopicQueueNums", 4).putExt("queueId", 2).putExt("sysFlag", 0)
            .putExt("bornTimestamp", 1700L).putExt("flag", 5).putExt("properties", "TAGS\u0001A")
            .putExt("unitMode", false).putExt("bname", "broker-a");
        assertThat(SendMessageRequestHeader.decode(v1)).isEqualTo(h);
    }

    @Test
    void pullHeaderReadsFlagsAndOptionalFields() {
        RemotingCommand c = RemotingCommand.request(RequestCode.PULL_MESSAGE)
            .putExt("consumerGroup", "G").putExt("topic", "T").putExt("queueId", 1).putExt("queueOffset", 10)
            .putExt("maxMsgNums", 32).putExt("sysFlag", 0x16).putExt("commitOffset", 0)
            .putExt("suspendTimeoutMillis", 20000).putExt("subVersion", 0).putExt("subscription", "*");
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(c);
        assertThat(h.maySuspend()).isTrue();
        assertThat(h.hasSubscription()).isTrue();
        assertThat(h.hasCommitOffset()).isFalse();
        assertThat(h.maxMsgBytes()).isNull();
        assertThat(h.queueOffset()).isEqualTo(10);
    }

    @Test
    void missingOrMalformedFieldsAreNamed() {
        RemotingCommand c = RemotingCommand.request(RequestCode.GET_MAX_OFFSET).putExt("topic", "T");
        assertThatThrownBy(() -> RequestHeaders.TopicQueue.decode(c))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("'queueId'").hasMessageContaining("30");
        c.putExt("queueId", "1.5");
        assertThatThrownBy(() -> RequestHeaders.TopicQueue.decode(c))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("'1.5'");
        RemotingCommand none = RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET);
        assertThatThrownBy(() -> RequestHeaders.QueryConsumerOffset.decode(none)).hasMessageContaining("consumerGroup");
    }
}
