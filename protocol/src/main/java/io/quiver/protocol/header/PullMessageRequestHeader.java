package io.quiver.protocol.header;

import io.quiver.protocol.RemotingCommand;

/** Header of PULL_MESSAGE and LITE_PULL_MESSAGE, fact sheet §6.1. */
public record PullMessageRequestHeader(
    String consumerGroup,
    String topic,
    int queueId,
    long queueOffset,
    int maxMsgNums,
    int sysFlag,
    long commitOffset,
    long suspendTimeoutMillis,
    String subscription,
    long subVersion,
    String expressionType,
    Integer maxMsgBytes) {

    public static final int FLAG_COMMIT_OFFSET = 0x1;
    public static final int FLAG_SUSPEND = 0x2;
    public static final int FLAG_SUBSCRIPTION = 0x4;
    public static final int FLAG_LITE_PULL = 0x10;

    public static PullMessageRequestHeader decode(RemotingCommand cmd) {
        HeaderReader r = new HeaderReader(cmd);
        return new PullMessageRequestHeader(
            r.string("consumerGroup"), r.string("topic"), r.int32("queueId"), r.int64("queueOffset"),
            r.int32("maxMsgNums"), r.int32("sysFlag"), r.int64("commitOffset"), r.int64("suspendTimeoutMillis"),
            r.optString("subscription"), r.int64("subVersion"), r.optString("expressionType"),
            r.optInt32("maxMsgBytes"));
    }

    public boolean hasCommitOffset() {
        return (sysFlag & FLAG_COMMIT_OFFSET) != 0;
    }

    public boolean maySuspend() {
        return (sysFlag & FLAG_SUSPEND) != 0;
    }

    public boolean hasSubscription() {
        return (sysFlag & FLAG_SUBSCRIPTION) != 0;
    }
}
