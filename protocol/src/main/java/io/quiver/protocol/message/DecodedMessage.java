package io.quiver.protocol.message;

import java.util.Map;

/** Every field of one record, decoded; for lookups, recovery checks and tests, not for the pull path. */
public final class DecodedMessage {
    public int totalSize;
    public int bodyCrc;
    public int queueId;
    public int flag;
    public long queueOffset;
    public long physicalOffset;
    public int sysFlag;
    public long bornTimestamp;
    public byte[] bornHost;
    public int bornPort;
    public long storeTimestamp;
    public byte[] storeHost;
    public int storePort;
    public int reconsumeTimes;
    public long preparedTransactionOffset;
    public byte[] body;
    public String topic;
    public String properties;

    public Map<String, String> propertyMap() {
        return MessageProperties.parse(properties);
    }

    public String offsetMsgId() {
        return MessageId.offsetId(storeHost, storePort, physicalOffset);
    }
}
