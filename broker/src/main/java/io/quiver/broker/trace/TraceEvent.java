package io.quiver.broker.trace;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One thing that happened to a message, as a timeline shows it. Public fields are the JSON names of
 * {@code quiver message trace --json} and of the console.
 *
 * @param kind       what happened
 * @param time       when (broker clock, ms), or the client's clock for the client's own trace
 * @param msgId      the message's unique id (UNIQ_KEY), when the event names it
 * @param topic      the topic of the copy concerned (a retry or dead-letter topic for those copies)
 * @param queueId    its queue, or -1
 * @param queueOffset its queue offset, or -1
 * @param group      the producer or consumer group concerned, or null
 * @param client     the client's address or id, or null
 * @param value      a number whose meaning depends on the kind (see {@link Kind})
 * @param detail     a sentence for people, or null
 */
public record TraceEvent(Kind kind, long time, String msgId, String topic, int queueId, long queueOffset, String group,
                         String client, long value, String detail) {

    /** What happened. {@code value} is named for each kind. */
    public enum Kind {
        /** Stored in its topic. value: ms from the producer's born time to the store time. */
        STORED,
        /** Stored as a transaction's half message, not yet visible. */
        PREPARED,
        /** The producer (or its answer to a check) committed the transaction. */
        COMMITTED,
        /** The producer (or its answer to a check) rolled the transaction back. */
        ROLLED_BACK,
        /** The broker asked the producer group for the transaction's state. value: checks so far. */
        CHECKED,
        /** Stored for later delivery (a delay level or a delivery time). value: the due time, or 0. */
        SCHEDULED,
        /** Stored again in the group's retry topic. value: the delivery attempt it is for. */
        RETRIED,
        /** Stored in the group's dead-letter topic. value: deliveries it had. */
        DEAD_LETTERED,
        /** Handed to a consumer by a pull. */
        DELIVERED,
        /** Handed to a consumer by a pop. value: its invisible time in ms. */
        POPPED,
        /** A pop's acknowledgement. */
        ACKED,
        /** A pop's invisible time changed (a negative acknowledgement or an extension). value: the new time, ms. */
        INVISIBLE_CHANGED,
        /** The group's committed offset passed this message: the consumer is done with it. */
        CONSUMED,
        /** Internal, never shown: a group's committed offset moved from queueOffset to value. */
        OFFSET_COMMITTED,
        /** The producer's own trace (enableMsgTrace): the send as it saw it. value: its cost, ms. */
        CLIENT_SENT,
        /** The consumer's own trace: it began consuming. value: the attempt (retry count). */
        CLIENT_CONSUME_BEGIN,
        /** The consumer's own trace: it finished consuming. value: its cost, ms. */
        CLIENT_CONSUME_END,
        /** The producer's own trace of a transaction's end. */
        CLIENT_TRANSACTION_END;

        private static final Kind[] ALL = values();
    }

    private static final byte VERSION = 1;

    /** Compact binary form kept in the trace store. */
    public byte[] encode() {
        byte[][] strings = {bytes(msgId), bytes(topic), bytes(group), bytes(client), bytes(detail)};
        int size = 1 + 1 + 8 + 4 + 8 + 8;
        for (byte[] s : strings) {
            size += 2 + (s == null ? 0 : s.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION).put((byte) kind.ordinal()).putLong(time).putInt(queueId).putLong(queueOffset).putLong(value);
        for (byte[] s : strings) {
            if (s == null) {
                b.putShort((short) -1);
            } else {
                b.putShort((short) s.length).put(s);
            }
        }
        return b.array();
    }

    /** The event in {@code bytes}, or null when they are not one this version understands. */
    public static TraceEvent decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != VERSION) {
                return null;
            }
            int k = b.get() & 0xFF;
            if (k >= Kind.ALL.length) {
                return null;
            }
            long time = b.getLong();
            int queueId = b.getInt();
            long queueOffset = b.getLong();
            long value = b.getLong();
            String[] s = new String[5];
            for (int i = 0; i < s.length; i++) {
                int len = b.getShort();
                if (len >= 0) {
                    byte[] x = new byte[len];
                    b.get(x);
                    s[i] = new String(x, StandardCharsets.UTF_8);
                }
            }
            return new TraceEvent(Kind.ALL[k], time, s[0], s[1], queueId, queueOffset, s[2], s[3], value, s[4]);
        } catch (RuntimeException e) {
            return null; // BufferUnderflowException and friends: not an event
        }
    }

    private static byte[] bytes(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length > 4096 ? java.util.Arrays.copyOf(b, 4096) : b;
    }
}
