package io.quiver.protocol.header;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;

/**
 * Header of SEND_MESSAGE (long field names), SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (one-letter
 * names), fact sheet §5.1.
 */
public record SendMessageRequestHeader(
    String producerGroup,
    String topic,
    String defaultTopic,
    int defaultTopicQueueNums,
    int queueId,
    int sysFlag,
    long bornTimestamp,
    int flag,
    String properties,
    int reconsumeTimes,
    boolean unitMode,
    Integer maxReconsumeTimes,
    boolean batch,
    String brokerName) {

    public static SendMessageRequestHeader decode(RemotingCommand cmd) {
        HeaderReader r = new HeaderReader(cmd);
        if (cmd.code() == RequestCode.SEND_MESSAGE) {
            return new SendMessageRequestHeader(
                r.string("producerGroup"), r.string("topic"), r.string("defaultTopic"),
                r.int32("defaultTopicQueueNums"), r.int32("queueId"), r.int32("sysFlag"),
                r.int64("bornTimestamp"), r.int32("flag"), r.optString("properties"),
                r.optInt32("reconsumeTimes", 0), r.optBool("unitMode", false), r.optInt32("maxReconsumeTimes"),
                r.optBool("batch", false), r.optString("bname"));
        }
        return new SendMessageRequestHeader(
            r.string("a"), r.string("b"), r.string("c"), r.int32("d"), r.int32("e"), r.int32("f"),
            r.int64("g"), r.int32("h"), r.optString("i"), r.optInt32("j", 0), r.optBool("k", false),
            r.optInt32("l"), r.optBool("m", cmd.code() == RequestCode.SEND_BATCH_MESSAGE), r.optString("n"));
    }

    /** Writes this header in the one-letter V2 form, as official producers send it. */
    public void encodeV2(RemotingCommand cmd) {
        cmd.putExt("a", producerGroup).putExt("b", topic).putExt("c", defaultTopic)
            .putExt("d", defaultTopicQueueNums).putExt("e", queueId).putExt("f", sysFlag)
            .putExt("g", bornTimestamp).putExt("h", flag).putExt("i", properties)
            .putExt("j", reconsumeTimes).putExt("k", unitMode).putExt("l", maxReconsumeTimes)
            .putExt("m", batch).putExt("n", brokerName);
    }
}
