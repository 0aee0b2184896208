package io.quiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One fixed-size file mapped into memory, named by the 20-digit offset of its first byte in the logical
 * stream it belongs to. Written only by its stream's writer; read concurrently through independent
 * views ({@link #slice}), which is safe because readers only look below a published (volatile) limit.
 *
 * <p>Lifetime by reference: the segment's list holds one reference; a reader that keeps views beyond a
 * quick look (a pull answered without copying) takes one with {@link #retain()} and gives it back with
 * {@link #release()}. Deleting the segment drops the list's reference; the mapping is released when the
 * last holder lets go, never under a reader.
 */
final class MappedSegment {
    private final Path path;
    private final long baseOffset;
    private final int size;
    private final FileChannel channel;
    private final MappedByteBuffer buffer;
    /** The file's own reference plus one per reader holding a view; the mapping is released at zero. */
    private final java.util.concurrent.atomic.AtomicInteger refs = new java.util.concurrent.atomic.AtomicInteger(1);

    private MappedSegment(Path path, long baseOffset, int size, FileChannel channel, MappedByteBuffer buffer) {
        this.path = path;
        this.baseOffset = baseOffset;
        this.size = size;
        this.channel = channel;
        this.buffer = buffer;
    }

    static String fileName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** Creates a new, fully reserved segment; throws {@link StoreException} on a full disk. */
    static MappedSegment create(Path dir, long baseOffset, int size) {
        return create(dir, baseOffset, size, false);
    }

    /** As {@link #create(Path, long, int)}; with {@code sparse} no blocks are reserved (the writer does it). */
    static MappedSegment create(Path dir, long baseOffset, int size, boolean sparse) {
        Path path = dir.resolve(fileName(baseOffset));
        if (sparse) {
            SegmentAllocator.allocateSparse(path, size);
        } else {
            SegmentAllocator.allocate(path, size);
        }
        return open(path, baseOffset, size);
    }

    static MappedSegment open(Path path, long baseOffset, int size) {
        try {
            long actual = Files.size(path);
            if (actual != size) {
                throw new StoreException("segment " + path + " has " + actual + " bytes, expected " + size
                    + " (was the segment size changed? it must stay the same for existing data)");
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            return new MappedSegment(path, baseOffset, size, ch, buf);
        } catch (IOException e) {
            throw new StoreException("cannot map segment " + path + ": " + e.getMessage(), e);
        }
    }

    long baseOffset() {
        return baseOffset;
    }

    long endOffset() {
        return baseOffset + size;
    }

    int size() {
        return size;
    }

    Path path() {
        return path;
    }

    /** The shared mapping; only the stream's writer may change its position or contents. */
    MappedByteBuffer buffer() {
        return buffer;
    }

    /** An independent view of {@code length} bytes at {@code position} within this segment. */
    ByteBuffer slice(int position, int length) {
        return buffer.slice(position, length);
    }

    /**
     * Writes {@code src} at {@code position} through the file channel (pwrite), not the mapping. Appends go
     * this way because a store through the mapping faults pages in with read-ahead, and on kernels that
     * cache files in large folios (ext4 since 6.16, xfs) every later force then writes whole megabytes
     * around the write position; see docs/performance.md. Readers see the bytes through the mapping as
     * usual: both share the page cache.
     */
    void write(ByteBuffer src, int position) {
        try {
            int at = position;
            while (src.hasRemaining()) {
                at += channel.write(src, at);
            }
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            throw new StoreException((msg.contains("No space left") ? "disk full: " : "cannot write ") + path + ": " + msg, e);
        }
    }

    /** Writes zeros over [{@code from}, {@code to}) through the file channel, 64 KiB at a time. */
    void writeZeros(int from, int to) {
        ByteBuffer zeros = ByteBuffer.allocate(Math.min(64 * 1024, Math.max(0, to - from)));
        for (int pos = from; pos < to; pos += zeros.capacity()) {
            zeros.clear().limit(Math.min(zeros.capacity(), to - pos));
            write(zeros, pos);
        }
    }

    /** fdatasync of the file: also writes back pages dirtied through the mapping (Linux). */
    void forceData() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void force() {
        buffer.force();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the mapping stays valid until collected; nothing to report
        }
    }

    /** Takes a reference for a reader; false when the segment is already released (its data is gone). */
    boolean retain() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a reference back; the last one releases the mapping, so a deleted file's space returns. */
    void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            unmap();
        } else if (left < 0) {
            throw new IllegalStateException("segment " + path + " released more often than retained");
        }
    }

    /** References held now (the list's and readers'); for tests. */
    int references() {
        return refs.get();
    }

    private void unmap() {
        try {
            java.lang.reflect.Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(unsafe, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // left to the garbage collector
        }
    }

    void delete() {
        close();
        SegmentAllocator.deleteQuietly(path);
    }
}
