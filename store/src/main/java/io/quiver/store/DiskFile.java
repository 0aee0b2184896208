package io.quiver.store;

import java.nio.ByteBuffer;

/**
 * One open file of a {@link Disk}: a shared buffer over its whole content, through which readers read and
 * the consume queues and index store their entries, plus writes, forces and release.
 */
interface DiskFile {
    /** The whole file as one buffer (a memory mapping on the local disk); only the file's writer changes it. */
    ByteBuffer buffer();

    /** Writes {@code src} at {@code position}; a full disk throws a {@link StoreException} starting "disk full". */
    void write(ByteBuffer src, int position);

    /** Forces written data to the device ({@code fdatasync}); throws {@link java.io.UncheckedIOException} on failure. */
    void forceData();

    /** Forces what was stored through {@link #buffer()}. */
    void forceBuffer();

    /** Closes the file; the buffer stays readable until {@link #unmap()}. */
    void close();

    /** Gives the buffer's memory back; no view of it may be used afterwards. */
    void unmap();
}
