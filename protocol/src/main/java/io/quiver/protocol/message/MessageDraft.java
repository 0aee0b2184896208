package io.quiver.protocol.message;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A message about to be stored: every field of the record (fact sheet §6.2) except the three the store
 * assigns when it appends (queue offset, commit-log offset, store timestamp). Built by one thread and
 * handed to the store; not shared afterwards.
 */
public final class MessageDraft {
    public String topic;
    public int queueId;
    public int flag;
    public int sysFlag;
    public long bornTimestamp;
    /** Address bytes (4 or 16) and port of the producer's socket. */
    public byte[] bornHost = new byte[4];
    public int bornPort;
    public byte[] storeHost = new byte[4];
    public int storePort;
    public int reconsumeTimes;
    public long preparedTransactionOffset;
    public byte[] body;
    public int bodyOffset;
    public int bodyLength;
    public String properties = "";
    /** Tag hash for the consume queue: {@code TAGS.hashCode()}, 0 without tags. */
    public long tagsCode;
    /**
     * When positive, the consume-queue tag code becomes {@code storeTimestamp + deliverDelayMillis}: the
     * due time of a delayed message, known only once the store assigns the store time.
     */
    public long deliverDelayMillis;
    /** The message's KEYS property, for the index; null if absent. */
    public String keys;
    /** The message's UNIQ_KEY property; null if absent. */
    public String uniqKey;

    private byte[] topicBytes;
    private byte[] propertyBytes;

    /**
     * A draft that stores {@code m} again: same topic, queue, flag, sysFlag, born and store hosts and time,
     * reconsume count, body and properties. Callers readdress or adjust it (retry, delivery, commit).
     */
    public static MessageDraft copyOf(DecodedMessage m) {
        MessageDraft d = new MessageDraft();
        d.topic = m.topic;
        d.queueId = m.queueId;
        d.flag = m.flag;
        d.sysFlag = m.sysFlag;
        d.bornTimestamp = m.bornTimestamp;
        d.bornHost = m.bornHost;
        d.bornPort = m.bornPort;
        d.storeHost = m.storeHost;
        d.storePort = m.storePort;
        d.reconsumeTimes = m.reconsumeTimes;
        d.body(m.body, 0, m.body.length);
        d.properties = m.properties;
        return d;
    }

    /** The consume-queue tag hash for a properties map: {@code TAGS.hashCode()}, 0 without tags. */
    public static long tagsCodeOf(java.util.Map<String, String> props) {
        String tags = props.get(MessageProperties.TAGS);
        return tags == null || tags.isEmpty() ? 0 : tags.hashCode();
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
            propertyBytes = properties == null ? new byte[0] : properties.getBytes(StandardCharsets.UTF_8);
        }
        return propertyBytes;
    }

    /** Call after changing {@link #topic} or {@link #properties}. */
    public void invalidateEncodedStrings() {
        topicBytes = null;
        propertyBytes = null;
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
