package io.quiver.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** How full the store's disk is, behind an interface so tests can fill a disk without filling one. */
@FunctionalInterface
public interface DiskSpace {
    /**
     * Used fraction of the file system holding the store, 0.0 to 1.0, as {@code df} shows it: used blocks
     * over used plus available ones (blocks reserved for root count as neither).
     */
    double usedRatio();

    /** Bytes an unprivileged process can still write there; unknown (the largest long) by default. */
    default long availableBytes() {
        return Long.MAX_VALUE;
    }

    /** The file system that holds {@code dir}. */
    static DiskSpace of(Path dir) {
        return new DiskSpace() {
            @Override
            public double usedRatio() {
                try {
                    FileStore fs = Files.getFileStore(dir);
                    long used = fs.getTotalSpace() - fs.getUnallocatedSpace();
                    long available = fs.getUsableSpace();
                    return used + available <= 0 ? 0 : (double) used / (used + available);
                } catch (IOException e) {
                    return 0; // unknown: do not refuse writes on a failed statfs
                }
            }

            @Override
            public long availableBytes() {
                try {
                    return Files.getFileStore(dir).getUsableSpace();
                } catch (IOException e) {
                    return Long.MAX_VALUE;
                }
            }
        };
    }
}
