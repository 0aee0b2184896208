package io.quiver.broker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One byte of state per queue offset of an internal queue: a 2-bit state in the low bits (for
 * transactions {@link #PENDING}, {@link #COMMITTED}, {@link #ROLLED_BACK}, {@link #DISCARDED}; for
 * timers pending/delivered) and a 6-bit counter above them (0–63, e.g. check-backs). Kept in
 * memory-mapped files of {@link #FILE_BYTES} offsets each. A cache of what marker records in the commit
 * log say, rebuilt from them after a crash; callers serialise writes per offset.
 */
public final class OffsetStateTable {
    public static final int PENDING = 0;
    public static final int COMMITTED = 1;
    public static final int ROLLED_BACK = 2;
    public static final int DISCARDED = 3;
    public static final int MAX_CHECKS = 63;
    public static final int FILE_BYTES = 1 << 20;

    private final Path dir;
    private final Map<Long, MappedByteBuffer> files = new ConcurrentHashMap<>();

    public OffsetStateTable(Path dir) {
        this.dir = dir;
    }

    private MappedByteBuffer file(long halfOffset, boolean create) {
        long base = halfOffset / FILE_BYTES * FILE_BYTES;
        MappedByteBuffer b = files.get(base);
        if (b != null || !create && !Files.exists(dir.resolve(String.format("%020d", base)))) {
            return b;
        }
        synchronized (this) {
            return files.computeIfAbsent(base, k -> map(dir.resolve(String.format("%020d", k))));
        }
    }

    private static MappedByteBuffer map(Path p) {
        try {
            Files.createDirectories(p.getParent());
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
                if (ch.size() < FILE_BYTES) {
                    ch.write(java.nio.ByteBuffer.allocate(1), FILE_BYTES - 1); // zero-filled by the file system
                }
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map transaction decision file " + p, e);
        }
    }

    private int raw(long halfOffset) {
        MappedByteBuffer b = file(halfOffset, false);
        return b == null ? 0 : b.get((int) (halfOffset % FILE_BYTES)) & 0xFF;
    }

    public int decision(long halfOffset) {
        return raw(halfOffset) & 0x3;
    }

    public int checks(long halfOffset) {
        return raw(halfOffset) >>> 2;
    }

    public void setDecision(long halfOffset, int decision) {
        MappedByteBuffer b = file(halfOffset, true);
        int i = (int) (halfOffset % FILE_BYTES);
        b.put(i, (byte) ((b.get(i) & 0xFC) | decision));
    }

    /** Adds one check-back; returns the new count. */
    public int addCheck(long halfOffset) {
        MappedByteBuffer b = file(halfOffset, true);
        int i = (int) (halfOffset % FILE_BYTES);
        int v = b.get(i) & 0xFF;
        int checks = Math.min(MAX_CHECKS, (v >>> 2) + 1);
        b.put(i, (byte) ((checks << 2) | (v & 0x3)));
        return checks;
    }

    /** Drops whole files below {@code halfOffset} (everything in them is decided). */
    public void dropBefore(long halfOffset) {
        long keepFrom = halfOffset / FILE_BYTES * FILE_BYTES;
        for (Long base : files.keySet()) {
            if (base < keepFrom) {
                files.remove(base);
                try {
                    Files.deleteIfExists(dir.resolve(String.format("%020d", base)));
                } catch (IOException ignored) {
                    // a leftover file only costs disk space; it is rewritten if ever needed
                }
            }
        }
    }

    public void force() {
        files.values().forEach(MappedByteBuffer::force);
    }
}
