package io.quiver.protocol.message;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Offset message ids (fact sheet §5.6): store-host address, port and commit-log offset as upper-case
 * hex. Clients decode them to find the broker and the record, so the address must be client-reachable.
 */
public final class MessageId {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private MessageId() {}

    public static String offsetId(byte[] storeAddress, int storePort, long commitLogOffset) {
        ByteBuffer b = ByteBuffer.allocate(storeAddress.length + 12);
        b.put(storeAddress).putInt(storePort).putLong(commitLogOffset);
        return hex(b.array());
    }

    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** A decoded offset id. */
    public record Decoded(InetSocketAddress address, long commitLogOffset) {}

    public static Decoded decode(String id) {
        if (id == null || (id.length() != 32 && id.length() != 56)) {
            throw new IllegalArgumentException("an offset message id has 32 (IPv4) or 56 (IPv6) hex characters: " + id);
        }
        byte[] bytes = new byte[id.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(id.substring(2 * i, 2 * i + 2), 16);
        }
        int addrLen = id.length() == 32 ? 4 : 16;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] addr = new byte[addrLen];
        b.get(addr);
        int port = b.getInt();
        long offset = b.getLong();
        try {
            return new Decoded(new InetSocketAddress(InetAddress.getByAddress(addr), port), offset);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address in message id " + id, e);
        }
    }
}
