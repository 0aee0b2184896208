package io.quiver.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A disk in memory with a fault model, for the store's simulations. Each file has what the process sees
 * (the page cache, shared through {@link DiskFile#buffer()}) and what is on the device. Writes reach only
 * the cache; a force copies the file's changed pages to the device. {@link #crash} keeps the device and,
 * per changed page, chooses by the seeded random what became of it (lost, written, or torn at a sector).
 * Faults: forces that fail (the pages they should have written are then dropped until written again, as
 * Linux does), a capacity that fills up, and bit flips in stored pages. Small files written with
 * {@link #replace} and directory changes are durable at once. Single-threaded, like the stepped store it
 * serves; every decision comes from the seed, so a scenario replays exactly.
 */
final class SimulatedDisk implements Disk, DiskSpace {
    static final int PAGE = 4096;
    static final int SECTOR = 512;
    private static final int RESERVE_CHUNK = 64 * 1024;

    /** What became of the pages not yet forced when the machine stopped. */
    enum CrashMode {
        /** The process died, the machine did not: the page cache survives (kill -9). */
        PROCESS,
        /** Power loss before any write-back: every unforced page is lost. */
        POWER_ALL_LOST,
        /** Power loss during write-back: each unforced page lost, written, or torn at a sector boundary. */
        POWER_RANDOM
    }

    private final Random random;
    private final long capacity;
    private final TreeMap<Path, SimFile> files = new TreeMap<>();
    private final TreeMap<Path, byte[]> smallFiles = new TreeMap<>();
    private final TreeSet<Path> dirs = new TreeSet<>();
    private long used;
    /** Chance that a force fails. */
    private double forceFailureRate;
    private long generation;
    private long forcesFailed;

    SimulatedDisk(Random random, long capacity) {
        this.random = random;
        this.capacity = capacity;
    }

    void failForces(double rate) {
        this.forceFailureRate = rate;
    }

    long forcesFailed() {
        return forcesFailed;
    }

    // ------------------------------------------------------------------ faults

    /**
     * The machine stops: whatever a force did not write is decided by {@code mode}; every open file of this
     * generation is dead afterwards (its writes and forces fail), and new opens see the device's content.
     */
    void crash(CrashMode mode) {
        generation++;
        for (SimFile f : files.values()) {
            f.crashTo(mode);
        }
    }

    /** Flips one bit of the file on the device and in the cache (a latent media error). */
    void flipBit(Path path, int byteOffset, int bit) {
        SimFile f = files.get(path);
        f.device[byteOffset] ^= (byte) (1 << bit);
        f.cache.put(byteOffset, (byte) (f.cache.get(byteOffset) ^ (1 << bit)));
    }

    // ------------------------------------------------------------------ Disk

    @Override
    public List<String> list(Path dir) {
        TreeSet<String> names = new TreeSet<>();
        for (Path p : files.keySet()) {
            addChild(names, dir, p);
        }
        for (Path p : smallFiles.keySet()) {
            addChild(names, dir, p);
        }
        for (Path p : dirs) {
            addChild(names, dir, p);
        }
        return new ArrayList<>(names);
    }

    private static void addChild(TreeSet<String> names, Path dir, Path p) {
        if (p.getParent() != null && p.getParent().equals(dir)) {
            names.add(p.getFileName().toString());
        }
    }

    @Override
    public boolean isDirectory(Path path) {
        return dirs.contains(path);
    }

    @Override
    public boolean exists(Path path) {
        return files.containsKey(path) || smallFiles.containsKey(path) || dirs.contains(path);
    }

    @Override
    public void createDirectories(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            dirs.add(p);
        }
    }

    @Override
    public DiskFile create(Path path, int size, boolean sparse) {
        createDirectories(path.getParent());
        SimFile old = files.remove(path);
        if (old != null) {
            used -= old.reserved;
        }
        SimFile f = new SimFile(path, size);
        if (!sparse) {
            if (used + size > capacity) {
                throw new StoreException("disk full: cannot reserve " + size + " bytes for " + path);
            }
            f.reserved = size;
            Arrays.fill(f.chunks, true);
            used += size;
        }
        files.put(path, f);
        return f.handle();
    }

    @Override
    public DiskFile open(Path path, int size) {
        SimFile f = files.get(path);
        if (f == null) {
            throw new StoreException("no such file " + path);
        }
        if (f.device.length != size) {
            throw new StoreException("segment " + path + " has " + f.device.length + " bytes, expected " + size);
        }
        return f.handle();
    }

    @Override
    public void delete(Path path) {
        SimFile f = files.remove(path);
        if (f != null) {
            used -= f.reserved;
        }
        smallFiles.remove(path);
    }

    @Override
    public byte[] read(Path path) {
        byte[] b = smallFiles.get(path);
        return b == null ? null : b.clone();
    }

    @Override
    public void replace(Path path, byte[] content) {
        createDirectories(path.getParent());
        smallFiles.put(path, content.clone());
    }

    @Override
    public double usedRatio() {
        return (double) used / capacity;
    }

    // ------------------------------------------------------------------ files

    /** One file: the device's bytes and the cache's; handles opened in an older generation are dead. */
    private final class SimFile {
        final Path path;
        byte[] device;
        ByteBuffer cache;
        final boolean[] chunks;
        long reserved;
        /** Pages a failed force dropped, with the content they had: written again only once changed. */
        final Map<Integer, byte[]> dropped = new HashMap<>();

        SimFile(Path path, int size) {
            this.path = path;
            this.device = new byte[size];
            this.cache = ByteBuffer.allocate(size);
            this.chunks = new boolean[(size + RESERVE_CHUNK - 1) / RESERVE_CHUNK];
        }

        DiskFile handle() {
            return new Handle(this, generation, cache);
        }

        int pages() {
            return (device.length + PAGE - 1) / PAGE;
        }

        boolean changed(int page) {
            int from = page * PAGE;
            int to = Math.min(device.length, from + PAGE);
            return Arrays.mismatch(device, from, to, cache.array(), from, to) >= 0;
        }

        boolean droppedUnchanged(int page) {
            byte[] d = dropped.get(page);
            if (d == null) {
                return false;
            }
            int from = page * PAGE;
            return Arrays.equals(d, 0, d.length, cache.array(), from, from + d.length);
        }

        void force() {
            if (random.nextDouble() < forceFailureRate) {
                forcesFailed++;
                for (int p = 0; p < pages(); p++) {
                    if (changed(p)) {
                        int from = p * PAGE;
                        dropped.put(p, Arrays.copyOfRange(cache.array(), from, Math.min(device.length, from + PAGE)));
                    }
                }
                throw new UncheckedIOException(new IOException("simulated: fdatasync of " + path + " failed (EIO)"));
            }
            for (int p = 0; p < pages(); p++) {
                if (changed(p) && !droppedUnchanged(p)) {
                    copyPage(p, PAGE);
                    dropped.remove(p);
                }
            }
        }

        private void copyPage(int page, int bytes) {
            int from = page * PAGE;
            int to = Math.min(device.length, from + bytes);
            System.arraycopy(cache.array(), from, device, from, to - from);
        }

        void crashTo(CrashMode mode) {
            for (int p = 0; p < pages(); p++) {
                if (!changed(p) || droppedUnchanged(p)) {
                    continue;
                }
                switch (mode) {
                    case PROCESS -> copyPage(p, PAGE);
                    case POWER_ALL_LOST -> { }
                    case POWER_RANDOM -> {
                        int fate = random.nextInt(3);
                        if (fate == 1) {
                            copyPage(p, PAGE);
                        } else if (fate == 2) {
                            copyPage(p, SECTOR * (1 + random.nextInt(PAGE / SECTOR - 1)));
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
            dropped.clear();
            cache = ByteBuffer.allocate(device.length);
            cache.put(0, device);
        }

        /** Sparse files take space as their chunks are first written. */
        void charge(int position, int length) {
            for (int c = position / RESERVE_CHUNK; c <= (position + length - 1) / RESERVE_CHUNK; c++) {
                if (!chunks[c]) {
                    if (used + RESERVE_CHUNK > capacity) {
                        throw new StoreException("disk full: no space left for " + path);
                    }
                    chunks[c] = true;
                    used += RESERVE_CHUNK;
                    reserved += RESERVE_CHUNK;
                }
            }
        }
    }

    /** An open file of one generation. */
    private final class Handle implements DiskFile {
        private final SimFile file;
        private final long openedIn;
        private final ByteBuffer buffer;

        Handle(SimFile file, long openedIn, ByteBuffer buffer) {
            this.file = file;
            this.openedIn = openedIn;
            this.buffer = buffer;
        }

        private void alive() {
            if (openedIn != generation) {
                throw new StoreException("simulated: " + file.path + " belongs to a machine that crashed");
            }
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public void write(ByteBuffer src, int position) {
            alive();
            int n = src.remaining();
            if (n == 0) {
                return;
            }
            file.charge(position, n);
            buffer.put(position, src, src.position(), n);
            src.position(src.limit());
        }

        @Override
        public void forceData() {
            alive();
            file.force();
        }

        @Override
        public void forceBuffer() {
            forceData();
        }

        @Override
        public void close() {
        }

        @Override
        public void unmap() {
        }
    }
}
