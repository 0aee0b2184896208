package io.quiver.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical byte stream stored as consecutive fixed-size {@link MappedSegment}s in one directory. The
 * segment list is replaced copy-on-write, so readers on any thread see a consistent list without
 * locking; only the stream's writer adds or removes segments.
 */
final class SegmentedFile {
    private final Disk disk;
    private final Path dir;
    private final int segmentSize;
    private final boolean sparse;
    private volatile MappedSegment[] segments = new MappedSegment[0];

    SegmentedFile(Disk disk, Path dir, int segmentSize) {
        this(disk, dir, segmentSize, false);
    }

    /** With {@code sparse}, new segments get no blocks; their writer reserves them (see ConsumeQueue). */
    SegmentedFile(Disk disk, Path dir, int segmentSize, boolean sparse) {
        this.disk = disk;
        this.sparse = sparse;
        this.dir = dir;
        this.segmentSize = segmentSize;
    }

    /** Maps the existing segment files; names must be their base offsets, contiguous. */
    void load() {
        List<MappedSegment> loaded = new ArrayList<>();
        for (String name : disk.list(dir)) {
            if (!name.matches("\\d{20}")) {
                continue;
            }
            Path p = dir.resolve(name);
            long base = Long.parseLong(name);
            if (!loaded.isEmpty() && base != loaded.get(loaded.size() - 1).endOffset()) {
                throw new StoreException("segment " + p + " does not follow the previous one; the files in " + dir
                    + " are not contiguous");
            }
            loaded.add(MappedSegment.open(disk, p, base, segmentSize));
        }
        segments = loaded.toArray(new MappedSegment[0]);
    }

    int segmentSize() {
        return segmentSize;
    }

    Path dir() {
        return dir;
    }

    MappedSegment[] segments() {
        return segments;
    }

    boolean isEmpty() {
        return segments.length == 0;
    }

    MappedSegment first() {
        MappedSegment[] s = segments;
        return s.length == 0 ? null : s[0];
    }

    MappedSegment last() {
        MappedSegment[] s = segments;
        return s.length == 0 ? null : s[s.length - 1];
    }

    /** The segment holding {@code offset}, or null if none does. */
    MappedSegment segmentFor(long offset) {
        MappedSegment[] s = segments;
        if (s.length == 0 || offset < s[0].baseOffset()) {
            return null;
        }
        int i = (int) ((offset - s[0].baseOffset()) / segmentSize);
        return i < s.length ? s[i] : null;
    }

    /** Writer only: creates the segment that starts at {@code baseOffset} (the end of the last one). */
    MappedSegment addSegment(long baseOffset) {
        MappedSegment created = MappedSegment.create(disk, dir, baseOffset, segmentSize, sparse);
        MappedSegment[] old = segments;
        MappedSegment[] next = new MappedSegment[old.length + 1];
        System.arraycopy(old, 0, next, 0, old.length);
        next[old.length] = created;
        segments = next;
        return created;
    }

    /** Writer only: deletes every segment that starts at or after {@code offset}. */
    void deleteFrom(long offset) {
        MappedSegment[] old = segments;
        int keep = 0;
        while (keep < old.length && old[keep].baseOffset() < offset) {
            keep++;
        }
        if (keep == old.length) {
            return;
        }
        MappedSegment[] next = new MappedSegment[keep];
        System.arraycopy(old, 0, next, 0, keep);
        segments = next;
        for (int i = keep; i < old.length; i++) {
            old[i].delete();
        }
    }

    /**
     * Writer only (under the store's append lock): detaches the segments that end at or before
     * {@code offset}, always keeping the last one. Returns them; the caller deletes their files.
     */
    MappedSegment[] detachBefore(long offset) {
        MappedSegment[] old = segments;
        int drop = 0;
        while (drop < old.length - 1 && old[drop].endOffset() <= offset) {
            drop++;
        }
        if (drop == 0) {
            return new MappedSegment[0];
        }
        MappedSegment[] next = new MappedSegment[old.length - drop];
        System.arraycopy(old, drop, next, 0, next.length);
        segments = next;
        MappedSegment[] gone = new MappedSegment[drop];
        System.arraycopy(old, 0, gone, 0, drop);
        return gone;
    }

    void forceAll() {
        for (MappedSegment s : segments) {
            s.force();
        }
    }

    void close() {
        for (MappedSegment s : segments) {
            s.close();
        }
    }
}
