package io.quiver.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/** The local file system behind {@link Disk}. Stateless and thread-safe. */
final class LocalDisk implements Disk {

    @Override
    public List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public DiskFile create(Path path, int size, boolean sparse) {
        if (sparse) {
            SegmentAllocator.allocateSparse(path, size);
        } else {
            SegmentAllocator.allocate(path, size);
        }
        return open(path, size);
    }

    @Override
    public DiskFile open(Path path, int size) {
        try {
            long actual = Files.size(path);
            if (actual != size) {
                throw new StoreException("segment " + path + " has " + actual + " bytes, expected " + size
                    + " (was the segment size changed? it must stay the same for existing data)");
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new LocalFile(path, ch, ch.map(FileChannel.MapMode.READ_WRITE, 0, size));
        } catch (IOException e) {
            throw new StoreException("cannot map segment " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(Path path) {
        SegmentAllocator.deleteQuietly(path);
    }

    @Override
    public byte[] read(Path path) {
        try {
            return Files.exists(path) ? Files.readAllBytes(path) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void replace(Path path, byte[] content) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new StoreException("cannot write " + tmp + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException("cannot replace " + path + ": " + e.getMessage(), e);
        }
    }

    /** A memory-mapped file; appends go through the channel (pwrite), see {@link MappedSegment#write}. */
    private record LocalFile(Path path, FileChannel channel, MappedByteBuffer mapping) implements DiskFile {

        @Override
        public ByteBuffer buffer() {
            return mapping;
        }

        @Override
        public void write(ByteBuffer src, int position) {
            try {
                int at = position;
                while (src.hasRemaining()) {
                    at += channel.write(src, at);
                }
            } catch (IOException e) {
                String msg = String.valueOf(e.getMessage());
                throw new StoreException((msg.contains("No space left") ? "disk full: " : "cannot write ") + path + ": "
                    + msg, e);
            }
        }

        @Override
        public void forceData() {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void forceBuffer() {
            mapping.force();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the mapping stays valid until released; nothing to report
            }
        }

        @Override
        public void unmap() {
            try {
                java.lang.reflect.Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
                f.setAccessible(true);
                Object unsafe = f.get(null);
                unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(unsafe, mapping);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
