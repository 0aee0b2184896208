package io.quiver.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fixed-size file of a {@link Disk} (memory-mapped on the local disk), named by the 20-digit offset of
 * its first byte in the logical stream it belongs to. Written only by its stream's writer; read concurrently
 * through independent views ({@link #slice}), which is safe because readers only look below a published
 * (volatile) limit.
 *
 * <p>Lifetime by reference: the segment's list holds one reference; a reader that keeps views beyond a
 * quick look (a pull answered without copying) takes one with {@link #retain()} and gives it back with
 * {@link #release()}. Deleting the segment drops the list's reference; the mapping is released when the
 * last holder lets go, never under a reader.
 */
final class MappedSegment {
    private final Disk disk;
    private final Path path;
    private final long baseOffset;
    private final int size;
    private final DiskFile file;
    private final ByteBuffer buffer;
    /** The file's own reference plus one per reader holding a view; the mapping is released at zero. */
    private final AtomicInteger refs = new AtomicInteger(1);

    private MappedSegment(Disk disk, Path path, long baseOffset, int size, DiskFile file) {
        this.disk = disk;
        this.path = path;
        this.baseOffset = baseOffset;
        this.size = size;
        this.file = file;
        this.buffer = file.buffer();
    }

    static String fileName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    /** Creates a new, fully reserved segment on the local disk; throws {@link StoreException} on a full disk. */
    static MappedSegment create(Path dir, long baseOffset, int size) {
        return create(Disk.LOCAL, dir, baseOffset, size, false);
    }

    /** Creates a new segment; with {@code sparse} no blocks are reserved (the writer does it). */
    static MappedSegment create(Disk disk, Path dir, long baseOffset, int size, boolean sparse) {
        Path path = dir.resolve(fileName(baseOffset));
        disk.createDirectories(dir);
        return new MappedSegment(disk, path, baseOffset, size, disk.create(path, size, sparse));
    }

    static MappedSegment open(Disk disk, Path path, long baseOffset, int size) {
        return new MappedSegment(disk, path, baseOffset, size, disk.open(path, size));
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

    /** The shared buffer; only the stream's writer may change its contents. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** An independent view of {@code length} bytes at {@code position} within this segment. */
    ByteBuffer slice(int position, int length) {
        return buffer.slice(position, length);
    }

    /**
     * Writes {@code src} at {@code position} through the file (pwrite), not the mapping. Appends go this way
     * because a store through the mapping faults pages in with read-ahead, and on kernels that cache files in
     * large folios (ext4 since 6.16, xfs) every later force then writes whole megabytes around the write
     * position; see docs/performance.md. Readers see the bytes through the mapping as usual: both share the
     * page cache.
     */
    void write(ByteBuffer src, int position) {
        file.write(src, position);
    }

    /** Writes zeros over [{@code from}, {@code to}) through the file, 64 KiB at a time. */
    void writeZeros(int from, int to) {
        ByteBuffer zeros = ByteBuffer.allocate(Math.min(64 * 1024, Math.max(0, to - from)));
        for (int pos = from; pos < to; pos += zeros.capacity()) {
            zeros.clear().limit(Math.min(zeros.capacity(), to - pos));
            write(zeros, pos);
        }
    }

    /** fdatasync of the file: also writes back pages dirtied through the mapping (Linux). */
    void forceData() {
        file.forceData();
    }

    void force() {
        file.forceBuffer();
    }

    void close() {
        file.close();
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
            file.unmap();
        } else if (left < 0) {
            throw new IllegalStateException("segment " + path + " released more often than retained");
        }
    }

    /** References held now (the list's and readers'); for tests. */
    int references() {
        return refs.get();
    }

    void delete() {
        close();
        disk.delete(path);
    }
}
