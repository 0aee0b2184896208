package io.quiver.protocol.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The body of SEND_BATCH_MESSAGE (fact sheet §5.4): entries back to back, each with its own properties. */
public final class BatchBody {
    /** A bound on entries per batch, so a hostile body cannot make the broker build a huge list. */
    public static final int MAX_ENTRIES = 65_536;

    private BatchBody() {}

    /** One entry: its flag, where its body lies in the batch array, and its properties string. */
    public record Entry(int flag, int bodyOffset, int bodyLength, String properties) {}

    /** Splits a batch body; throws {@link IllegalArgumentException} with a reason if it is malformed. */
    public static List<Entry> split(byte[] batch) {
        if (batch == null || batch.length == 0) {
            throw new IllegalArgumentException("the batch body is empty");
        }
        List<Entry> entries = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(batch);
        while (b.hasRemaining()) {
            if (entries.size() >= MAX_ENTRIES) {
                throw new IllegalArgumentException("a batch may hold at most " + MAX_ENTRIES + " messages");
            }
            int start = b.position();
            if (b.remaining() < 22) {
                throw new IllegalArgumentException("batch entry " + entries.size() + " is truncated");
            }
            int total = b.getInt();
            b.getInt(); // magic, written as 0 by clients
            b.getInt(); // body CRC, written as 0 by clients
            int flag = b.getInt();
            int bodyLen = b.getInt();
            if (total < 22 || start + total > batch.length || bodyLen < 0 || bodyLen > total - 22) {
                throw new IllegalArgumentException("batch entry " + entries.size() + " has inconsistent lengths");
            }
            int bodyOffset = b.position();
            b.position(bodyOffset + bodyLen);
            int propsLen = b.getShort() & 0xFFFF;
            if (b.position() + propsLen != start + total) {
                throw new IllegalArgumentException("batch entry " + entries.size() + " has inconsistent lengths");
            }
            String props = new String(batch, b.position(), propsLen, StandardCharsets.UTF_8);
            b.position(start + total);
            entries.add(new Entry(flag, bodyOffset, bodyLen, props));
        }
        return entries;
    }
}
