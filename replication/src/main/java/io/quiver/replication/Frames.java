package io.quiver.replication;

import io.netty.buffer.ByteBuf;
import io.quiver.store.EpochHistory;
import io.quiver.store.LogChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of the shipping protocol, in one place. Every frame is {@code int length} (of what follows),
 * {@code byte type}, then the fields of its type, big-endian; strings are {@code short length} and UTF-8.
 * Decoding checks every length against what the frame holds and throws {@link ReplicationException} naming
 * the field at fault.
 */
public final class Frames {
    /** Largest frame accepted: a chunk holds at least one record, and records stay far below this. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Longest string field (cluster and broker names). */
    static final int MAX_STRING_BYTES = 255;

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte REFUSED = 3;
    static final byte ENTRIES = 4;
    static final byte GAP = 5;
    static final byte ACK = 6;
    static final byte HEARTBEAT = 7;

    private Frames() {}

    /** Writes {@code f} with its length word into {@code out}. */
    public static void encode(Frame f, ByteBuf out) {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        if (f instanceof Frame.Hello h) {
            out.writeByte(HELLO).writeInt(h.version());
            writeString(out, h.cluster());
            writeString(out, h.brokerName());
            out.writeLong(h.brokerId()).writeInt(h.segmentBytes()).writeInt(h.maxMessageBytes()).writeLong(h.endOffset())
                .writeBoolean(h.emptyLog());
            writeTerms(out, h.terms());
        } else if (f instanceof Frame.Welcome w) {
            out.writeByte(WELCOME).writeLong(w.startOffset()).writeLong(w.masterMinOffset()).writeLong(w.masterEndOffset())
                .writeLong(w.truncateTo());
            writeTerms(out, w.terms());
        } else if (f instanceof Frame.Refused r) {
            byte[] b = r.reason().getBytes(StandardCharsets.UTF_8);
            out.writeByte(REFUSED).writeInt(b.length).writeBytes(b);
        } else if (f instanceof Frame.Entries e) {
            LogChunk c = e.chunk();
            boolean gap = c.kind() == LogChunk.Kind.GAP;
            out.writeByte(gap ? GAP : ENTRIES).writeLong(c.from()).writeLong(c.next());
            if (!gap) {
                ByteBuffer bytes = c.bytes().duplicate();
                out.writeInt(bytes.remaining()).writeBytes(bytes);
            }
        } else if (f instanceof Frame.Ack a) {
            out.writeByte(ACK).writeLong(a.endOffset());
        } else if (f instanceof Frame.Heartbeat h) {
            out.writeByte(HEARTBEAT).writeLong(h.masterEndOffset()).writeLong(h.masterTimeMillis());
        } else {
            throw new IllegalArgumentException("unknown frame " + f);
        }
        out.setInt(lengthAt, out.writerIndex() - lengthAt - 4);
    }

    /**
     * Decodes one frame whose length word was already consumed: {@code in} holds exactly its type and fields. An
     * {@link Frame.Entries} may keep a reference to {@code in}'s bytes; its receiver releases it.
     */
    public static Frame decode(ByteBuf in) {
        try {
            byte type = in.readByte();
            Frame f = switch (type) {
                case HELLO -> {
                    int version = in.readInt();
                    if (version != Frame.VERSION) {
                        // Fields after the version may differ: the master refuses by the version alone.
                        yield new Frame.Hello(version, "", "", -1, 0, 0, 0, false, List.of());
                    }
                    yield new Frame.Hello(version, readString(in, "cluster"), readString(in, "brokerName"), in.readLong(),
                        in.readInt(), in.readInt(), in.readLong(), in.readBoolean(), readTerms(in));
                }
                case WELCOME -> new Frame.Welcome(in.readLong(), in.readLong(), in.readLong(), in.readLong(), readTerms(in));
                case REFUSED -> {
                    int n = in.readInt();
                    if (n < 0 || n > in.readableBytes()) {
                        throw new ReplicationException("refusal reason length " + n + " is out of range");
                    }
                    yield new Frame.Refused(in.readCharSequence(n, StandardCharsets.UTF_8).toString());
                }
                case ENTRIES -> {
                    long from = in.readLong();
                    long next = in.readLong();
                    int n = in.readInt();
                    if (n <= 0 || n != in.readableBytes()) {
                        throw new ReplicationException("entries length " + n + " does not match the frame's "
                            + in.readableBytes() + " remaining bytes");
                    }
                    if (from < 0 || next < from + n) {
                        throw new ReplicationException("entries [" + from + ", " + next + ") cannot hold " + n + " bytes");
                    }
                    ByteBuf body = in.readRetainedSlice(n);
                    if (body.nioBufferCount() != 1) { // not one contiguous region: copy it
                        ByteBuffer bytes = ByteBuffer.allocate(n);
                        body.readBytes(bytes);
                        body.release();
                        yield new Frame.Entries(new LogChunk(LogChunk.Kind.ENTRIES, from, next, bytes.flip()));
                    }
                    // A view of the received bytes (direct from the socket): stored without another copy
                    yield new Frame.Entries(new LogChunk(LogChunk.Kind.ENTRIES, from, next, body.nioBuffer()), body);
                }
                case GAP -> {
                    long from = in.readLong();
                    long next = in.readLong();
                    if (from < 0 || next <= from) {
                        throw new ReplicationException("gap [" + from + ", " + next + ") is empty or negative");
                    }
                    yield new Frame.Entries(new LogChunk(LogChunk.Kind.GAP, from, next, ByteBuffer.allocate(0)));
                }
                case ACK -> new Frame.Ack(in.readLong());
                case HEARTBEAT -> new Frame.Heartbeat(in.readLong(), in.readLong());
                default -> throw new ReplicationException("unknown frame type " + type);
            };
            if (in.isReadable() && !(f instanceof Frame.Hello h && h.version() != Frame.VERSION)) {
                throw new ReplicationException("frame type " + type + " has " + in.readableBytes() + " bytes too many");
            }
            return f;
        } catch (IndexOutOfBoundsException e) {
            throw new ReplicationException("frame is truncated", e);
        }
    }

    /** Terms: {@code int count}, then {@code long epoch, long startOffset, long termId} each. */
    private static void writeTerms(ByteBuf out, List<EpochHistory.Entry> terms) {
        out.writeInt(terms.size());
        for (EpochHistory.Entry e : terms) {
            out.writeLong(e.epoch()).writeLong(e.startOffset()).writeLong(e.termId());
        }
    }

    private static List<EpochHistory.Entry> readTerms(ByteBuf in) {
        int n = in.readInt();
        if (n < 0 || n > EpochHistory.MAX_ENTRIES || n * 24L > in.readableBytes()) {
            throw new ReplicationException("term count " + n + " is out of range");
        }
        List<EpochHistory.Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long epoch = in.readLong();
            long start = in.readLong();
            long id = in.readLong();
            if (epoch < 1 || start < 0) {
                throw new ReplicationException("term " + i + " (epoch " + epoch + " at offset " + start + ") is out of range");
            }
            out.add(new EpochHistory.Entry(epoch, start, id));
        }
        try {
            EpochHistory.checkOrder(out);
        } catch (IllegalArgumentException e) {
            throw new ReplicationException("terms out of order: " + e.getMessage());
        }
        return out;
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("'" + s + "' is longer than " + MAX_STRING_BYTES + " bytes");
        }
        out.writeShort(b.length).writeBytes(b);
    }

    private static String readString(ByteBuf in, String field) {
        int n = in.readUnsignedShort();
        if (n > MAX_STRING_BYTES || n > in.readableBytes()) {
            throw new ReplicationException("field " + field + " has length " + n + ", out of range");
        }
        return in.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
}
