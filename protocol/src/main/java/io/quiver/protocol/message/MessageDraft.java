package io.quiver.protocol.message;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A message about to be stored: every field of the record (fact sheet §6.2) except the three the store
 * assigns when it appends (queue offset, commit-log offset, store timestamp). The encoded forms of the
 * topic and the properties are derived from them and cached; setting either drops its cache, so they
 * can never disagree. Built by one thread and handed to the store; not changed afterwards.
 */
public final class MessageDraft {
    private String topic;
    private int queueId;
    private int flag;
    private int sysFlag;
    private long bornTimestamp;
    private byte[] bornHost = new byte[4];
    private int bornPort;
    private byte[] storeHost = new byte[4];
    private int storePort;
    private int reconsumeTimes;
    private long preparedTransactionOffset;
    private String properties = "";
    private long tagsCode;
    private long deliverDelayMillis;
    private String keys;
    private String uniqKey;
    private byte[] body = new byte[0];
    private int bodyOffset;
    private int bodyLength;

    private byte[] topicBytes;
    private byte[] propertyBytes;

    /**
     * A draft that stores {@code m} again: same topic, queue, flag, sysFlag, born and store hosts and time,
     * reconsume count, body and properties. Callers readdress or adjust it (retry, delivery, commit).
     */
    public static MessageDraft copyOf(DecodedMessage m) {
        return new MessageDraft().topic(m.topic).queueId(m.queueId).flag(m.flag).sysFlag(m.sysFlag)
            .bornTimestamp(m.bornTimestamp).bornHost(m.bornHost).bornPort(m.bornPort).storeHost(m.storeHost)
            .storePort(m.storePort).reconsumeTimes(m.reconsumeTimes).body(m.body, 0, m.body.length)
            .properties(m.properties);
    }

    /** The consume-queue tag hash for a properties map: {@code TAGS.hashCode()}, 0 without tags. */
    public static long tagsCodeOf(java.util.Map<String, String> props) {
        String tags = props.get(MessageProperties.TAGS);
        return tags == null || tags.isEmpty() ? 0 : tags.hashCode();
    }

    public String topic() {
        return topic;
    }

    public MessageDraft topic(String topic) {
        this.topic = topic;
        this.topicBytes = null;
        return this;
    }

    public int queueId() {
        return queueId;
    }

    public MessageDraft queueId(int queueId) {
        this.queueId = queueId;
        return this;
    }

    public int flag() {
        return flag;
    }

    public MessageDraft flag(int flag) {
        this.flag = flag;
        return this;
    }

    public int sysFlag() {
        return sysFlag;
    }

    public MessageDraft sysFlag(int sysFlag) {
        this.sysFlag = sysFlag;
        return this;
    }

    public long bornTimestamp() {
        return bornTimestamp;
    }

    public MessageDraft bornTimestamp(long bornTimestamp) {
        this.bornTimestamp = bornTimestamp;
        return this;
    }

    /** Address bytes (4 or 16) of the producer's socket. */
    public byte[] bornHost() {
        return bornHost;
    }

    public MessageDraft bornHost(byte[] bornHost) {
        this.bornHost = bornHost;
        return this;
    }

    public int bornPort() {
        return bornPort;
    }

    public MessageDraft bornPort(int bornPort) {
        this.bornPort = bornPort;
        return this;
    }

    public byte[] storeHost() {
        return storeHost;
    }

    public MessageDraft storeHost(byte[] storeHost) {
        this.storeHost = storeHost;
        return this;
    }

    public int storePort() {
        return storePort;
    }

    public MessageDraft storePort(int storePort) {
        this.storePort = storePort;
        return this;
    }

    public int reconsumeTimes() {
        return reconsumeTimes;
    }

    public MessageDraft reconsumeTimes(int reconsumeTimes) {
        this.reconsumeTimes = reconsumeTimes;
        return this;
    }

    public long preparedTransactionOffset() {
        return preparedTransactionOffset;
    }

    public MessageDraft preparedTransactionOffset(long preparedTransactionOffset) {
        this.preparedTransactionOffset = preparedTransactionOffset;
        return this;
    }

    public String properties() {
        return properties;
    }

    public MessageDraft properties(String properties) {
        this.properties = properties == null ? "" : properties;
        this.propertyBytes = null;
        return this;
    }

    /** Tag hash for the consume queue: {@code TAGS.hashCode()}, 0 without tags. */
    public long tagsCode() {
        return tagsCode;
    }

    public MessageDraft tagsCode(long tagsCode) {
        this.tagsCode = tagsCode;
        return this;
    }

    /** When positive, the consume-queue tag code becomes {@code storeTimestamp + deliverDelayMillis}: the
     * due time of a delayed message, known only once the store assigns the store time. */
    public long deliverDelayMillis() {
        return deliverDelayMillis;
    }

    public MessageDraft deliverDelayMillis(long deliverDelayMillis) {
        this.deliverDelayMillis = deliverDelayMillis;
        return this;
    }

    /** The message's KEYS property, for the index; null if absent. */
    public String keys() {
        return keys;
    }

    public MessageDraft keys(String keys) {
        this.keys = keys;
        return this;
    }

    /** The message's UNIQ_KEY property; null if absent. */
    public String uniqKey() {
        return uniqKey;
    }

    public MessageDraft uniqKey(String uniqKey) {
        this.uniqKey = uniqKey;
        return this;
    }

    public byte[] body() {
        return body;
    }

    public int bodyOffset() {
        return bodyOffset;
    }

    public int bodyLength() {
        return bodyLength;
    }

    public MessageDraft body(byte[] array, int offset, int length) {
        this.body = array;
        this.bodyOffset = offset;
        this.bodyLength = length;
        return this;
    }

    public byte[] topicBytes() {
        if (topicBytes == null) {
            topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        }
        return topicBytes;
    }

    public byte[] propertyBytes() {
        if (propertyBytes == null) {
            propertyBytes = properties.getBytes(StandardCharsets.UTF_8);
        }
        return propertyBytes;
    }

    public int bodyCrc() {
        CRC32 crc = new CRC32();
        crc.update(body, bodyOffset, bodyLength);
        return (int) (crc.getValue() & 0x7FFFFFFF);
    }

    /** Size of the encoded record, or -1 if the topic or properties exceed what the layout can hold. */
    public int encodedSize() {
        if (topicBytes().length > 127 || propertyBytes().length > Short.MAX_VALUE) {
            return -1;
        }
        return MessageRecord.sizeOf(bornHost.length, storeHost.length, bodyLength, topicBytes().length,
            propertyBytes().length);
    }
}
