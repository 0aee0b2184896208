package io.quiver.protocol;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request or response of the remoting protocol: the header fields of fact sheet §1.3 plus a body.
 *
 * <p>Not thread-safe: a command is built by one thread and handed over whole. Inbound bodies are plain
 * byte arrays copied out of the frame; an outbound body may instead be a {@link ByteBuf} (for example
 * slices of mapped commit-log segments) that the encoder writes without copying and then releases.
 */
public final class RemotingCommand {
    /** Bit 0 of {@code flag}: this command is a response. */
    public static final int FLAG_RESPONSE = 1;
    /** Bit 1 of {@code flag}: this request must not be answered. */
    public static final int FLAG_ONEWAY = 2;
    /** The protocol version Quiver announces: V4_9_8's ordinal, above every gate of fact sheet §1.6. */
    public static final int QUIVER_VERSION = 409;

    private static final AtomicInteger NEXT_OPAQUE = new AtomicInteger();

    private int code;
    private LanguageCode language = LanguageCode.JAVA;
    private int version = QUIVER_VERSION;
    private int opaque;
    private int flag;
    private String remark;
    private Map<String, String> extFields;
    private byte[] body;
    private ByteBuf bodyBuf;
    private SerializeType serializeType = SerializeType.JSON;

    public RemotingCommand() {}

    /** A new two-way request with a fresh opaque from this process's counter. */
    public static RemotingCommand request(int code) {
        RemotingCommand c = new RemotingCommand();
        c.code = code;
        c.opaque = NEXT_OPAQUE.getAndIncrement();
        return c;
    }

    /** A response to {@code request}: same opaque and serialization type, response flag set. */
    public static RemotingCommand responseTo(RemotingCommand request, int code, String remark) {
        RemotingCommand c = new RemotingCommand();
        c.code = code;
        c.opaque = request.opaque;
        c.flag = FLAG_RESPONSE;
        c.remark = remark;
        c.serializeType = request.serializeType;
        return c;
    }

    public boolean isResponse() {
        return (flag & FLAG_RESPONSE) != 0;
    }

    public boolean isOneway() {
        return (flag & FLAG_ONEWAY) != 0;
    }

    public RemotingCommand markOneway() {
        flag |= FLAG_ONEWAY;
        return this;
    }

    public int code() {
        return code;
    }

    public RemotingCommand code(int code) {
        this.code = code;
        return this;
    }

    public LanguageCode language() {
        return language;
    }

    public RemotingCommand language(LanguageCode language) {
        this.language = language;
        return this;
    }

    public int version() {
        return version;
    }

    public RemotingCommand version(int version) {
        this.version = version;
        return this;
    }

    public int opaque() {
        return opaque;
    }

    public RemotingCommand opaque(int opaque) {
        this.opaque = opaque;
        return this;
    }

    public int flag() {
        return flag;
    }

    public RemotingCommand flag(int flag) {
        this.flag = flag;
        return this;
    }

    public String remark() {
        return remark;
    }

    public RemotingCommand remark(String remark) {
        this.remark = remark;
        return this;
    }

    /** The ext fields, or null when the header had none. */
    public Map<String, String> extFields() {
        return extFields;
    }

    public RemotingCommand extFields(Map<String, String> fields) {
        this.extFields = fields;
        return this;
    }

    /** Returns the ext field value or null. */
    public String ext(String key) {
        return extFields == null ? null : extFields.get(key);
    }

    /** Adds one ext field; a null value is skipped, as official encoders skip null header fields. */
    public RemotingCommand putExt(String key, Object value) {
        if (value != null) {
            if (extFields == null) {
                extFields = new HashMap<>(8);
            }
            extFields.put(key, value.toString());
        }
        return this;
    }

    public byte[] body() {
        return body;
    }

    public RemotingCommand body(byte[] body) {
        this.body = body;
        return this;
    }

    /** An outbound body written without copying; the encoder releases it after writing. */
    public ByteBuf bodyBuf() {
        return bodyBuf;
    }

    public RemotingCommand bodyBuf(ByteBuf buf) {
        this.bodyBuf = buf;
        return this;
    }

    /** An outbound body made of {@code views} in order, written without copying them. */
    public RemotingCommand bodyViews(java.nio.ByteBuffer... views) {
        return bodyBuf(io.netty.buffer.Unpooled.wrappedBuffer(views));
    }

    public int bodyLength() {
        if (bodyBuf != null) {
            return bodyBuf.readableBytes();
        }
        return body == null ? 0 : body.length;
    }

    public SerializeType serializeType() {
        return serializeType;
    }

    public RemotingCommand serializeType(SerializeType type) {
        this.serializeType = type;
        return this;
    }

    @Override
    public String toString() {
        return "RemotingCommand{code=" + code + ", opaque=" + opaque + ", flag=" + flag
            + (remark != null ? ", remark=" + remark : "") + ", ext=" + extFields
            + ", body=" + bodyLength() + "B}";
    }
}
