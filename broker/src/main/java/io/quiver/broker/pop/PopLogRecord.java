package io.quiver.broker.pop;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One entry of the pop log: the durable history of POP consumption, kept as message bodies in an internal topic of
 * the commit log (so it is flushed, replicated and recovered with everything else). Replaying the entries in order
 * into a fresh {@link PopLedger} rebuilds it.
 *
 * <p>Layout: version byte, kind byte, group, topic (each a 2-byte length and UTF-8), queue id (int), start offset and
 * pop time (longs); then for a checkpoint: invisible time (long), FIFO flag (byte), scanned-to (long), count (int)
 * and each offset as a delta from the previous (varint); for an acknowledgement: the offset (long); for several
 * acknowledgements of one checkpoint: count (int) and each offset as a delta from the previous (varint).
 */
public sealed interface PopLogRecord {
    /** The internal topic holding the pop log. */
    String TOPIC = "rmq_sys_quiver_pop_log";
    byte VERSION = 1;

    PopLedger.CheckpointId id();

    /** A pop: what it delivered and how far it scanned. */
    record Pop(PopLedger.CheckpointId id, long[] offsets, long scannedTo, long invisibleMillis, boolean order)
        implements PopLogRecord {}

    /** One offset of a checkpoint was acknowledged. */
    record Ack(PopLedger.CheckpointId id, long offset) implements PopLogRecord {}

    /** Several offsets of a checkpoint were acknowledged (ascending): the acknowledgements of one cycle, one entry. */
    record Acks(PopLedger.CheckpointId id, long[] offsets) implements PopLogRecord {}

    /** A due checkpoint's unacknowledged messages were redelivered (appended with the redelivered messages). */
    record Revived(PopLedger.CheckpointId id) implements PopLogRecord {}

    /** An operator reset the group's offset of a queue: its pops start again at the id's start offset. */
    record Reset(PopLedger.CheckpointId id) implements PopLogRecord {}

    /** Applies this entry to {@code ledger}, as when it was first recorded. */
    default void applyTo(PopLedger ledger) {
        if (this instanceof Reset) {
            ledger.reset(id().queue(), id().startOffset());
        } else if (this instanceof Pop p) {
            ledger.nextOffset(p.id().queue(), p.offsets().length == 0 ? p.scannedTo() : p.offsets()[0]);
            ledger.pop(p.id().queue(), p.offsets(), p.scannedTo(), p.id().popTime(), p.invisibleMillis(), p.order());
        } else if (this instanceof Ack a) {
            ledger.ack(a.id(), a.offset());
        } else if (this instanceof Acks a) {
            for (long o : a.offsets()) {
                ledger.ack(a.id(), o);
            }
        } else {
            ledger.revived(id());
        }
    }

    static byte[] encode(PopLogRecord r) {
        byte[] group = r.id().queue().group().getBytes(StandardCharsets.UTF_8);
        byte[] topic = r.id().queue().topic().getBytes(StandardCharsets.UTF_8);
        int size = 2 + 2 + group.length + 2 + topic.length + 4 + 8 + 8;
        if (r instanceof Pop p) {
            size += 8 + 1 + 8 + 4 + 10 * p.offsets().length;
        } else if (r instanceof Ack) {
            size += 8;
        } else if (r instanceof Acks a) {
            size += 4 + 10 * a.offsets().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION).put(r instanceof Pop ? (byte) 1 : r instanceof Ack ? (byte) 2 : r instanceof Revived ? (byte) 3
            : r instanceof Acks ? (byte) 5 : (byte) 4);
        b.putShort((short) group.length).put(group).putShort((short) topic.length).put(topic);
        b.putInt(r.id().queue().queueId()).putLong(r.id().startOffset()).putLong(r.id().popTime());
        if (r instanceof Pop p) {
            b.putLong(p.invisibleMillis()).put(p.order() ? (byte) 1 : 0).putLong(p.scannedTo()).putInt(p.offsets().length);
            long prev = p.id().startOffset();
            for (long o : p.offsets()) {
                putVarLong(b, o - prev);
                prev = o;
            }
        } else if (r instanceof Ack a) {
            b.putLong(a.offset());
        } else if (r instanceof Acks a) {
            b.putInt(a.offsets().length);
            long prev = a.id().startOffset();
            for (long o : a.offsets()) {
                putVarLong(b, o - prev);
                prev = o;
            }
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Decodes an entry; a malformed one is an {@link IllegalArgumentException} saying what is wrong. */
    static PopLogRecord decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("pop log entry of version " + version + ", not " + VERSION);
            }
            byte kind = b.get();
            String group = string(b);
            String topic = string(b);
            PopLedger.CheckpointId id = new PopLedger.CheckpointId(new PopLedger.Queue(group, topic, b.getInt()),
                b.getLong(), b.getLong());
            return switch (kind) {
                case 1 -> {
                    long invisible = b.getLong();
                    boolean order = b.get() == 1;
                    long scannedTo = b.getLong();
                    int n = b.getInt();
                    if (n < 0 || n > PopLedger.MAX_OFFSETS_PER_CHECKPOINT) {
                        throw new IllegalArgumentException("pop log entry lists " + n + " offsets");
                    }
                    long[] offsets = new long[n];
                    long prev = id.startOffset();
                    for (int i = 0; i < n; i++) {
                        prev += getVarLong(b);
                        offsets[i] = prev;
                    }
                    yield new Pop(id, offsets, scannedTo, invisible, order);
                }
                case 2 -> new Ack(id, b.getLong());
                case 3 -> new Revived(id);
                case 4 -> new Reset(id);
                case 5 -> {
                    int n = b.getInt();
                    if (n < 1 || n > PopLedger.MAX_OFFSETS_PER_CHECKPOINT) {
                        throw new IllegalArgumentException("pop log entry acknowledges " + n + " offsets");
                    }
                    long[] offsets = new long[n];
                    long prev = id.startOffset();
                    for (int i = 0; i < n; i++) {
                        prev += getVarLong(b);
                        offsets[i] = prev;
                    }
                    yield new Acks(id, offsets);
                }
                default -> throw new IllegalArgumentException("pop log entry of unknown kind " + kind);
            };
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("pop log entry is truncated", e);
        }
    }

    private static String string(ByteBuffer b) {
        int n = b.getShort() & 0xFFFF;
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void putVarLong(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    private static long getVarLong(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("pop log entry has a malformed number");
    }
}
