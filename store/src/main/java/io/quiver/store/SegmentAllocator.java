package io.quiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Creates segment files whose blocks are really reserved on disk, so that writing through a mapping
 * never meets a full disk (which the JVM reports as a fatal SIGBUS). Uses the {@code fallocate} tool
 * where present (instant on ext4/xfs), else writes zeros. A full disk is reported here, as a
 * {@link StoreException}, before the file is used. Stateless and thread-safe.
 */
final class SegmentAllocator {
    private static final Path FALLOCATE = findFallocate();
    /** Files smaller than this are zero-filled directly: cheaper than starting the fallocate tool. */
    private static final long SMALL_FILE_BYTES = 64L * 1024 * 1024;

    private SegmentAllocator() {}

    private static Path findFallocate() {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, "fallocate");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Creates {@code path} with {@code size} reserved bytes, all zero; removes it again on failure. */
    static void allocate(Path path, long size) {
        try {
            Files.createDirectories(path.getParent());
            if (size < SMALL_FILE_BYTES || FALLOCATE == null || !tryFallocate(path, size)) {
                zeroFill(path, size);
            }
        } catch (IOException e) {
            deleteQuietly(path);
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("No space left")) {
                throw new StoreException("disk full: cannot reserve " + size + " bytes for " + path, e);
            }
            throw new StoreException("cannot create segment " + path + ": " + msg, e);
        }
    }

    /**
     * Creates {@code path} with {@code size} bytes but no blocks (a sparse file). Only for files whose
     * writer reserves blocks itself, with ordinary writes, before it stores through a mapping
     * ({@link ConsumeQueue}): a mapped store into a hole on a full disk would be a SIGBUS.
     */
    static void allocateSparse(Path path, long size) {
        try {
            Files.createDirectories(path.getParent());
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path.toFile(), "rw")) {
                f.setLength(size);
            }
        } catch (IOException e) {
            deleteQuietly(path);
            throw new StoreException("cannot create segment " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean tryFallocate(Path path, long size) throws IOException {
        Process p = new ProcessBuilder(FALLOCATE.toString(), "-l", Long.toString(size), path.toString())
            .redirectErrorStream(true).start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reserving " + path, e);
        }
        if (p.exitValue() == 0 && Files.size(path) == size) {
            return true;
        }
        if (output.contains("No space left")) {
            throw new IOException("No space left on device: " + output);
        }
        deleteQuietly(path); // unsupported file system: fall back to zero-fill
        return false;
    }

    private static void zeroFill(Path path, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, 1 << 20));
            long pos = 0;
            while (pos < size) {
                zeros.clear();
                zeros.limit((int) Math.min(zeros.capacity(), size - pos));
                pos += ch.write(zeros, pos);
            }
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // nothing more to do; the caller reports the original failure
        }
    }
}
