package io.quiver.protocol;

/** How a command's header is encoded; the top byte of the frame's header-info word (fact sheet §1.2). */
public enum SerializeType {
    JSON((byte) 0),
    ROCKETMQ((byte) 1);

    private final byte code;

    SerializeType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** Returns null for a code that names no serialization type. */
    public static SerializeType of(int code) {
        return switch (code) {
            case 0 -> JSON;
            case 1 -> ROCKETMQ;
            default -> null;
        };
    }
}
