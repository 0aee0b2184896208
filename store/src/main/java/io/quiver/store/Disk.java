package io.quiver.store;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the store keeps its files: the local file system ({@link #LOCAL}), or a simulated disk in the
 * store's tests, which can lose unforced writes at a crash, tear pages, flip bits, fill up and fail forces.
 * Everything the store does to files goes through here. Implementations are thread-safe.
 */
interface Disk {
    /** The local file system: segments memory-mapped, appends by {@code pwrite}, forces by {@code fdatasync}. */
    Disk LOCAL = new LocalDisk();

    /** Names of the entries of {@code dir}, sorted; empty when it does not exist. */
    List<String> list(Path dir);

    boolean isDirectory(Path path);

    boolean exists(Path path);

    void createDirectories(Path dir);

    /**
     * Creates a file of {@code size} zero bytes. Unless {@code sparse}, its blocks are reserved now, so a full
     * disk fails here ({@link StoreException} whose message starts with "disk full") and never later in a
     * store through the mapping.
     */
    DiskFile create(Path path, int size, boolean sparse);

    /** Opens an existing file, which must have exactly {@code size} bytes. */
    DiskFile open(Path path, int size);

    /** Removes a file; nothing if it is absent. */
    void delete(Path path);

    /** The whole content of a small file, or null when it does not exist or cannot be read. */
    byte[] read(Path path);

    /** Replaces a small file durably and atomically (temp file, force, rename). */
    void replace(Path path, byte[] content);
}
