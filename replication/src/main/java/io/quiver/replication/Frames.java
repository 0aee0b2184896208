package io.quiver.replication;

import io.netty.buffer.ByteBuf;
import io.quiver.store.LogChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
        } else if (f instanceof Frame.Welcome w) {
            out.writeByte(WELCOME).writeLong(w.startOffset()).writeLong(w.masterMinOffset()).writeLong(w.masterEndOffset());
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

    /** Decodes one frame whose length word was already consumed: {@code in} holds exactly its type and fields. */
    public static Frame decode(ByteBuf in) {
        try {
            byte type = in.readByte();
            Frame f = switch (type) {
                case HELLO -> new Frame.Hello(in.readInt(), readString(in, "cluster"), readString(in, "brokerName"), in.readLong(),
                    in.readInt(), in.readInt(), in.readLong(), in.readBoolean());
                case WELCOME -> new Frame.Welcome(in.readLong(), in.readLong(), in.readLong());
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
                    ByteBuffer bytes = ByteBuffer.allocate(n);
                    in.readBytes(bytes);
                    yield new Frame.Entries(new LogChunk(LogChunk.Kind.ENTRIES, from, next, bytes.flip()));
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
            if (in.isReadable()) {
                throw new ReplicationException("frame type " + type + " has " + in.readableBytes() + " bytes too many");
            }
            return f;
        } catch (IndexOutOfBoundsException e) {
            throw new ReplicationException("frame is truncated", e);
        }
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
