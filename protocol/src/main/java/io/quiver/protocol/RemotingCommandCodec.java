package io.quiver.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes and decodes remoting frames (fact sheet §1.2–1.4): the length word, the header-info word, a
 * JSON or "ROCKETMQ" binary header, and the body. Stateless and thread-safe; the only place in Quiver
 * that knows the header byte layouts.
 */
public final class RemotingCommandCodec {
    /** Largest frame (excluding its own length word) the official decoder accepts. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private RemotingCommandCodec() {}

    /**
     * Writes the whole frame for {@code cmd} into {@code out}, except an outbound {@link ByteBuf}
     * body, which the caller appends (so it can be sent without copying). Returns the header length.
     */
    public static void encodeFrameHeader(RemotingCommand cmd, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0); // frame length, patched below
        out.writeInt(0); // header info, patched below
        int headerStart = out.writerIndex();
        if (cmd.serializeType() == SerializeType.ROCKETMQ) {
            writeBinaryHeader(cmd, out);
        } else {
            writeJsonHeader(cmd, out);
        }
        int headerLength = out.writerIndex() - headerStart;
        if (cmd.body() != null) {
            out.writeBytes(cmd.body());
        }
        int frameLength = 4 + headerLength + cmd.bodyLength();
        out.setInt(start, frameLength);
        out.setInt(start + 4, (cmd.serializeType().code() << 24) | (headerLength & 0x00FFFFFF));
    }

    /**
     * Decodes one frame whose length word has already been consumed: {@code frame} holds the
     * header-info word, the header and the body. The body is copied out.
     */
    public static RemotingCommand decode(ByteBuf frame) {
        if (frame.readableBytes() < 4) {
            throw new ProtocolException("frame of " + frame.readableBytes() + " bytes is shorter than its header-info word");
        }
        int headerInfo = frame.readInt();
        SerializeType type = SerializeType.of((headerInfo >>> 24) & 0xFF);
        if (type == null) {
            throw new ProtocolException("unknown header serialize type " + ((headerInfo >>> 24) & 0xFF)
                + " (0 = JSON, 1 = ROCKETMQ)");
        }
        int headerLength = headerInfo & 0x00FFFFFF;
        if (headerLength > frame.readableBytes()) {
            throw new ProtocolException("header length " + headerLength + " exceeds the frame's remaining "
                + frame.readableBytes() + " bytes");
        }
        ByteBuf header = frame.readSlice(headerLength);
        RemotingCommand cmd = type == SerializeType.ROCKETMQ ? readBinaryHeader(header) : readJsonHeader(header);
        cmd.serializeType(type);
        int bodyLength = frame.readableBytes();
        if (bodyLength > 0) {
            byte[] body = new byte[bodyLength];
            frame.readBytes(body);
            cmd.body(body);
        }
        return cmd;
    }

    // ---------------------------------------------------------------- JSON

    private static void writeJsonHeader(RemotingCommand cmd, ByteBuf out) {
        JsonHeaderWriter.write(cmd, out);
    }

    private static RemotingCommand readJsonHeader(ByteBuf header) {
        if (header.hasArray()) {
            return JsonHeaderReader.read(header.array(), header.arrayOffset() + header.readerIndex(), header.readableBytes());
        }
        byte[] bytes = new byte[header.readableBytes()];
        header.getBytes(header.readerIndex(), bytes);
        return JsonHeaderReader.read(bytes, 0, bytes.length);
    }

    // ---------------------------------------------------------------- ROCKETMQ binary

    private static void writeBinaryHeader(RemotingCommand cmd, ByteBuf out) {
        if (cmd.code() > Short.MAX_VALUE || cmd.code() < Short.MIN_VALUE) {
            throw new IllegalArgumentException("code " + cmd.code() + " does not fit the binary header's int16");
        }
        out.writeShort(cmd.code());
        out.writeByte(cmd.language().code());
        out.writeShort(cmd.version());
        out.writeInt(cmd.opaque());
        out.writeInt(cmd.flag());
        writeBinaryString(out, cmd.remark());
        int extLengthAt = out.writerIndex();
        out.writeInt(0);
        Map<String, String> ext = cmd.extFields();
        if (ext != null) {
            for (Map.Entry<String, String> e : ext.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    continue;
                }
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
                out.writeShort(k.length);
                out.writeBytes(k);
                out.writeInt(v.length);
                out.writeBytes(v);
            }
        }
        out.setInt(extLengthAt, out.writerIndex() - extLengthAt - 4);
    }

    private static void writeBinaryString(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    private static RemotingCommand readBinaryHeader(ByteBuf h) {
        try {
            RemotingCommand cmd = new RemotingCommand();
            cmd.code(h.readShort());
            cmd.language(LanguageCode.of(h.readByte()));
            cmd.version(h.readShort());
            cmd.opaque(h.readInt());
            cmd.flag(h.readInt());
            int remarkLength = h.readInt();
            if (remarkLength < 0 || remarkLength > h.readableBytes()) {
                throw new ProtocolException("binary header remark length " + remarkLength + " is out of range");
            }
            if (remarkLength > 0) {
                cmd.remark(h.readCharSequence(remarkLength, StandardCharsets.UTF_8).toString());
            }
            int extLength = h.readInt();
            if (extLength < 0 || extLength > h.readableBytes()) {
                throw new ProtocolException("binary header ext length " + extLength + " is out of range");
            }
            if (extLength > 0) {
                Map<String, String> ext = new HashMap<>(16);
                ByteBuf area = h.readSlice(extLength);
                while (area.isReadable()) {
                    int kl = area.readShort();
                    if (kl < 0 || kl > area.readableBytes()) {
                        throw new ProtocolException("binary header key length " + kl + " is out of range");
                    }
                    String k = area.readCharSequence(kl, StandardCharsets.UTF_8).toString();
                    int vl = area.readInt();
                    if (vl < 0 || vl > area.readableBytes()) {
                        throw new ProtocolException("binary header value length " + vl + " is out of range");
                    }
                    if (vl > 0) {
                        ext.put(k, area.readCharSequence(vl, StandardCharsets.UTF_8).toString());
                    }
                }
                cmd.extFields(ext);
            }
            return cmd;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("binary header is truncated", e);
        }
    }
}
