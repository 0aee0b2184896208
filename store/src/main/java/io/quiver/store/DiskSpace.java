package io.quiver.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** How full the store's disk is, behind an interface so tests can fill a disk without filling one. */
@FunctionalInterface
public interface DiskSpace {
    /** Used fraction of the file system holding the store, 0.0 to 1.0. */
    double usedRatio();

    /** The file system that holds {@code dir}. */
    static DiskSpace of(Path dir) {
        return () -> {
            try {
                FileStore fs = Files.getFileStore(dir);
                long total = fs.getTotalSpace();
                return total <= 0 ? 0 : (double) (total - fs.getUsableSpace()) / total;
            } catch (IOException e) {
                return 0; // unknown: do not refuse writes on a failed statfs
            }
        };
    }
}
