package io.quiver.protocol.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The message record layout shared by the commit log and the pull, view and query bodies (fact sheet
 * §6.2, V1 magic, one-byte topic length). Quiver stores records exactly as clients read them, so a pull
 * sends stored bytes without re-encoding. All methods are static and thread-safe.
 */
public final class MessageRecord {
    public static final int MAGIC_V1 = 0xDAA320A7;

    public static final int POS_TOTAL_SIZE = 0;
    public static final int POS_MAGIC = 4;
    public static final int POS_BODY_CRC = 8;
    public static final int POS_QUEUE_ID = 12;
    public static final int POS_FLAG = 16;
    public static final int POS_QUEUE_OFFSET = 20;
    public static final int POS_PHYSICAL_OFFSET = 28;
    public static final int POS_SYS_FLAG = 36;
    public static final int POS_BORN_TIMESTAMP = 40;
    public static final int POS_BORN_HOST = 48;

    private MessageRecord() {}

    public static int sizeOf(int bornAddrLength, int storeAddrLength, int bodyLength, int topicLength, int propsLength) {
        return 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8
            + bornAddrLength + 4 + 8 + storeAddrLength + 4
            + 4 + 8
            + 4 + bodyLength
            + 1 + topicLength
            + 2 + propsLength;
    }

    /** Offset of the store timestamp within a record whose born host has {@code bornAddrLength} bytes. */
    public static int storeTimestampPos(int bornAddrLength) {
        return POS_BORN_HOST + bornAddrLength + 4;
    }

    public static int storeTimestampPos(ByteBuffer buf, int recordStart) {
        int sysFlag = buf.getInt(recordStart + POS_SYS_FLAG);
        return storeTimestampPos((sysFlag & MessageSysFlag.BORNHOST_V6) != 0 ? 16 : 4);
    }

    /**
     * Writes {@code d} at the buffer's position with the store-assigned fields, and advances the position
     * by {@code size} (which must equal {@code d.encodedSize()}).
     */
    public static void write(ByteBuffer out, MessageDraft d, int size, int bodyCrc, long queueOffset,
                             long physicalOffset, long storeTimestamp) {
        int sysFlag = d.sysFlag();
        sysFlag = d.bornHost().length == 16 ? sysFlag | MessageSysFlag.BORNHOST_V6 : sysFlag & ~MessageSysFlag.BORNHOST_V6;
        sysFlag = d.storeHost().length == 16 ? sysFlag | MessageSysFlag.STOREHOST_V6 : sysFlag & ~MessageSysFlag.STOREHOST_V6;
        out.putInt(size);
        out.putInt(MAGIC_V1);
        out.putInt(bodyCrc);
        out.putInt(d.queueId());
        out.putInt(d.flag());
        out.putLong(queueOffset);
        out.putLong(physicalOffset);
        out.putInt(sysFlag);
        out.putLong(d.bornTimestamp());
        out.put(d.bornHost());
        out.putInt(d.bornPort());
        out.putLong(storeTimestamp);
        out.put(d.storeHost());
        out.putInt(d.storePort());
        out.putInt(d.reconsumeTimes());
        out.putLong(d.preparedTransactionOffset());
        out.putInt(d.bodyLength());
        out.put(d.body(), d.bodyOffset(), d.bodyLength());
        byte[] topic = d.topicBytes();
        out.put((byte) topic.length);
        out.put(topic);
        byte[] props = d.propertyBytes();
        out.putShort((short) props.length);
        out.put(props);
    }

    // Field readers for a record at the start of a buffer (absolute reads; the position is unchanged).
    // Every reader of stored records (recovery, index, verify, query, filters) goes through these.

    /** The store timestamp of the record at the start of {@code r}. */
    public static long storeTimestampOf(ByteBuffer r) {
        return r.getLong(storeTimestampPos(r, 0));
    }

    /** How many times the record at the start of {@code r} has been consumed again (retries). */
    public static int reconsumeTimesOf(ByteBuffer r) {
        return r.getInt(bodyLengthPos(r) - 12);
    }

    /** The producer's address ({@code ip:port}) written in the record at the start of {@code r}. */
    public static String bornHostOf(ByteBuffer r) {
        boolean v6 = (r.getInt(POS_SYS_FLAG) & MessageSysFlag.BORNHOST_V6) != 0;
        if (!v6) {
            return (r.get(POS_BORN_HOST) & 0xFF) + "." + (r.get(POS_BORN_HOST + 1) & 0xFF) + "."
                + (r.get(POS_BORN_HOST + 2) & 0xFF) + "." + (r.get(POS_BORN_HOST + 3) & 0xFF) + ":"
                + r.getInt(POS_BORN_HOST + 4);
        }
        byte[] ip = new byte[16];
        r.get(POS_BORN_HOST, ip);
        try {
            return "[" + java.net.InetAddress.getByAddress(ip).getHostAddress() + "]:" + r.getInt(POS_BORN_HOST + 16);
        } catch (java.net.UnknownHostException e) {
            return "?:" + r.getInt(POS_BORN_HOST + 16); // cannot happen for 16 bytes
        }
    }

    /** Offset of the body-length field of the record at the start of {@code r}. */
    static int bodyLengthPos(ByteBuffer r) {
        int sysFlag = r.getInt(POS_SYS_FLAG);
        return storeTimestampPos((sysFlag & MessageSysFlag.BORNHOST_V6) != 0 ? 16 : 4) + 8
            + ((sysFlag & MessageSysFlag.STOREHOST_V6) != 0 ? 16 : 4) + 4 + 4 + 8;
    }

    /** Offset of the topic-length byte of the record at the start of {@code r}. */
    private static int topicLengthPos(ByteBuffer r) {
        int p = bodyLengthPos(r);
        return p + 4 + r.getInt(p);
    }

    /** The topic of the record at the start of {@code r}. */
    public static String topicOf(ByteBuffer r) {
        int tp = topicLengthPos(r);
        byte[] t = new byte[r.get(tp) & 0xFF];
        r.get(tp + 1, t);
        return new String(t, StandardCharsets.UTF_8);
    }

    /** The properties string of the record at the start of {@code r}. */
    public static String propertiesOf(ByteBuffer r) {
        int tp = topicLengthPos(r);
        int pp = tp + 1 + (r.get(tp) & 0xFF);
        byte[] props = new byte[r.getShort(pp) & 0xFFFF];
        r.get(pp + 2, props);
        return new String(props, StandardCharsets.UTF_8);
    }

    /**
     * Decodes the record starting at {@code start} of {@code buf} (absolute positions; the buffer's
     * position is not moved). Throws {@link IllegalArgumentException} if the bytes do not form a record.
     */
    public static DecodedMessage decode(ByteBuffer buf, int start) {
        try {
            int size = buf.getInt(start);
            if (size < sizeOf(4, 4, 0, 0, 0) || start + size > buf.limit()) {
                throw new IllegalArgumentException("record size " + size + " at " + start + " is out of range");
            }
            if (buf.getInt(start + POS_MAGIC) != MAGIC_V1) {
                throw new IllegalArgumentException("record at " + start + " has an unknown magic code");
            }
            DecodedMessage m = new DecodedMessage();
            m.totalSize = size;
            m.bodyCrc = buf.getInt(start + POS_BODY_CRC);
            m.queueId = buf.getInt(start + POS_QUEUE_ID);
            m.flag = buf.getInt(start + POS_FLAG);
            m.queueOffset = buf.getLong(start + POS_QUEUE_OFFSET);
            m.physicalOffset = buf.getLong(start + POS_PHYSICAL_OFFSET);
            m.sysFlag = buf.getInt(start + POS_SYS_FLAG);
            m.bornTimestamp = buf.getLong(start + POS_BORN_TIMESTAMP);
            int p = start + POS_BORN_HOST;
            int bornLen = (m.sysFlag & MessageSysFlag.BORNHOST_V6) != 0 ? 16 : 4;
            m.bornHost = new byte[bornLen];
            buf.get(p, m.bornHost);
            p += bornLen;
            m.bornPort = buf.getInt(p);
            p += 4;
            m.storeTimestamp = buf.getLong(p);
            p += 8;
            int storeLen = (m.sysFlag & MessageSysFlag.STOREHOST_V6) != 0 ? 16 : 4;
            m.storeHost = new byte[storeLen];
            buf.get(p, m.storeHost);
            p += storeLen;
            m.storePort = buf.getInt(p);
            p += 4;
            m.reconsumeTimes = buf.getInt(p);
            p += 4;
            m.preparedTransactionOffset = buf.getLong(p);
            p += 8;
            int bodyLen = buf.getInt(p);
            p += 4;
            if (bodyLen < 0 || p + bodyLen > start + size) {
                throw new IllegalArgumentException("record at " + start + " has body length " + bodyLen + " beyond its size");
            }
            m.body = new byte[bodyLen];
            buf.get(p, m.body);
            p += bodyLen;
            int topicLen = buf.get(p) & 0xFF;
            p += 1;
            byte[] topic = new byte[topicLen];
            buf.get(p, topic);
            m.topic = new String(topic, StandardCharsets.UTF_8);
            p += topicLen;
            int propsLen = buf.getShort(p) & 0xFFFF;
            p += 2;
            if (p + propsLen != start + size) {
                throw new IllegalArgumentException("record at " + start + " has inconsistent lengths");
            }
            byte[] props = new byte[propsLen];
            buf.get(p, props);
            m.properties = new String(props, StandardCharsets.UTF_8);
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("record at " + start + " is truncated", e);
        }
    }
}
