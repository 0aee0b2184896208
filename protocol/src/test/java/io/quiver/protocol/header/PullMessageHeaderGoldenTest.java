package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: pull headers as the official 4.9.8 push and lite-pull consumers encode them decode to the sent values. */
@Timeout(10)
class PullMessageHeaderGoldenTest {

    private static org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader official(
            String group, int queueId, long offset, int max, int sysFlag, long commit, long suspend, String sub,
            long subVersion, String expressionType) {
        org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader h =
            new org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader();
        h.setConsumerGroup(group);
        h.setTopic("TopicA");
        h.setQueueId(queueId);
        h.setQueueOffset(offset);
        h.setMaxMsgNums(max);
        h.setSysFlag(sysFlag);
        h.setCommitOffset(commit);
        h.setSuspendTimeoutMillis(suspend);
        h.setSubscription(sub);
        h.setSubVersion(subVersion);
        h.setExpressionType(expressionType);
        h.setBname("broker-a");
        return h;
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void pushConsumerPullWithCommitOffset(SerializeType type) {
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.PULL_MESSAGE,
            official("GroupA", 3, 7_000_000_001L, 32, 0x3, 6_999_999_999L, 15_000L, null, 1_700_000_000_456L, "TAG"),
            type);
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(c);
        assertThat(h).isEqualTo(new PullMessageRequestHeader("GroupA", "TopicA", 3, 7_000_000_001L, 32, 0x3,
            6_999_999_999L, 15_000L, null, 1_700_000_000_456L, "TAG", null));
        assertThat(h.hasCommitOffset()).isTrue();
        assertThat(h.maySuspend()).isTrue();
        assertThat(h.hasSubscription()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void pushConsumerPullWithSql92Subscription(SerializeType type) {
        String sql = "a > 5 AND b = 'x' AND c IN ('ü', \"q\")";
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.PULL_MESSAGE,
            official("GroupB", 0, 0L, 32, 0x6, 0L, 15_000L, sql, 42L, "SQL92"), type);
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(c);
        assertThat(h).isEqualTo(new PullMessageRequestHeader("GroupB", "TopicA", 0, 0L, 32, 0x6, 0L, 15_000L, sql,
            42L, "SQL92", null));
        assertThat(h.hasSubscription()).isTrue();
        assertThat(h.hasCommitOffset()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void litePullConsumerPullUsesCode11In498(SerializeType type) {
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.PULL_MESSAGE,
            official("LiteGroup", 1, 40L, 10, 0x16, 0L, 20_000L, "TagA || TagB", 0L, "TAG"), type);
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(c);
        assertThat(h).isEqualTo(new PullMessageRequestHeader("LiteGroup", "TopicA", 1, 40L, 10, 0x16, 0L, 20_000L,
            "TagA || TagB", 0L, "TAG", null));
        assertThat(h.sysFlag() & PullMessageRequestHeader.FLAG_LITE_PULL).isNotZero();
    }
}
