package io.quiver.store;

import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the message index (every {@code KEYS} word and the {@code UNIQ_KEY} of each record, under
 * {@code topic#key}) by following the commit log on its own thread, so the append path does no index
 * work. Answers lookups from any thread. After a crash it resumes from the position its newest file
 * records, so nothing is missed; duplicates are harmless because lookups deduplicate.
 */
final class IndexService extends DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(IndexService.class);

    /** Longest the index thread sleeps when there is nothing new (the writer wakes it after each group). */
    static final long MAX_IDLE_MILLIS = 50;
    /** Records indexed before the thread re-checks for shutdown and publishes progress. */
    static final int MAX_RECORDS_PER_ROUND = 10_000;

    private final MessageStore store;
    private final Disk disk;
    private final Path dir;
    private final int slots;
    private final int entries;
    private volatile List<IndexFile> files = new ArrayList<>();
    private volatile long indexedUpTo;
    private volatile IndexedRecordListener listener = IndexedRecordListener.NONE;

    IndexService(MessageStore store, Disk disk, Path dir, int slots, int entries) {
        super("quiver-index", MAX_IDLE_MILLIS);
        this.store = store;
        this.disk = disk;
        this.dir = dir;
        this.slots = slots;
        this.entries = entries;
    }

    /** Loads existing index files; indexing resumes where the newest one ends. */
    void load(long commitLogMin, long commitLogEnd) {
        List<IndexFile> loaded = new ArrayList<>();
        long rebuildFrom = -1;
        for (String name : disk.list(dir)) {
            if (!name.matches("\\d{20}")) {
                continue;
            }
            Path p = dir.resolve(name);
            if (rebuildFrom >= 0) {
                disk.delete(p); // after a damaged file: rebuilt with it
                continue;
            }
            IndexFile f = IndexFile.open(disk, p, Long.parseLong(name), slots, entries);
            if (f == null) {
                rebuildFrom = Long.parseLong(name);
                log.warn("index file {} is damaged or has other dimensions; it and the files after it are rebuilt "
                    + "from the commit log (from offset {})", p, rebuildFrom);
                disk.delete(p);
                continue;
            }
            loaded.add(f);
        }
        files = loaded;
        long resume = rebuildFrom >= 0 ? rebuildFrom
            : loaded.isEmpty() ? commitLogMin : loaded.get(loaded.size() - 1).endPhyOffset();
        indexedUpTo = Math.max(commitLogMin, Math.min(resume, commitLogEnd));
    }

    void listener(IndexedRecordListener l) {
        listener = l;
    }

    long indexedUpTo() {
        return indexedUpTo;
    }

    /** One cycle: index up to {@link #MAX_RECORDS_PER_ROUND} new records. */
    @Override
    protected int doWork() {
        return indexRound();
    }

    private int indexRound() {
        synchronized (roundLock) {
            return indexRoundLocked();
        }
    }

    /** Held during each indexing round, and while a replica's log is cut back. */
    private final Object roundLock = new Object();

    /** Runs {@code r} while no indexing round is under way. */
    void whilePaused(Runnable r) {
        synchronized (roundLock) {
            r.run();
        }
    }

    /**
     * The log was cut back to {@code end} (with {@link #whilePaused}): indexing resumes there. Entries already made
     * for the erased records stay in the files; lookups check every record they name, so they find nothing.
     */
    void rewindTo(long end) {
        if (indexedUpTo > end) {
            indexedUpTo = end;
            List<IndexFile> fs = files;
            if (!fs.isEmpty()) {
                fs.get(fs.size() - 1).markIndexedUpTo(end);
            }
        }
    }

    private int indexRoundLocked() {
        CommitLog cl = store.commitLog();
        long pos = Math.max(indexedUpTo, cl.minOffset());
        long end = cl.writePosition();
        int n = 0;
        int[] size = new int[1];
        while (pos < end && n < MAX_RECORDS_PER_ROUND) {
            MappedSegment seg = cl.file().segmentFor(pos);
            if (seg == null || !seg.retain()) {
                break;
            }
            CommitLog.EntryKind kind;
            try {
                kind = CommitLog.inspect(seg, pos, Integer.MAX_VALUE, size);
                if (kind == CommitLog.EntryKind.RECORD) {
                    index(seg.slice((int) (pos - seg.baseOffset()), size[0]), pos);
                }
            } finally {
                seg.release();
            }
            if (kind == CommitLog.EntryKind.BLANK) {
                pos = seg.endOffset();
                continue;
            }
            if (kind != CommitLog.EntryKind.RECORD) {
                // Below the write position every byte is written: this is damage recovery stepped over.
                long next = cl.nextValidEntry(pos, Integer.MAX_VALUE);
                if (next < 0 || next >= end) {
                    break;
                }
                pos = next;
                continue;
            }
            pos += size[0] + CommitLog.TRAILER_BYTES;
            n++;
        }
        if (pos != indexedUpTo) {
            indexedUpTo = pos;
            List<IndexFile> fs = files;
            if (!fs.isEmpty()) {
                fs.get(fs.size() - 1).markIndexedUpTo(pos);
            }
        }
        return n;
    }

    private void index(ByteBuffer r, long phyOffset) {
        String topic = MessageRecord.topicOf(r);
        String props = MessageRecord.propertiesOf(r);
        long ts = MessageRecord.storeTimestampOf(r);
        String uniq = MessageProperties.valueOf(props, MessageProperties.UNIQ_KEY);
        try {
            listener.indexed(r, phyOffset, topic, props);
        } catch (RuntimeException e) {
            log.warn("listener of indexed records failed at offset {}: {}", phyOffset, e.toString());
        }
        if (uniq != null && !uniq.isEmpty()) {
            add(topic + "#" + uniq, phyOffset, ts);
        }
        String keys = MessageProperties.valueOf(props, MessageProperties.KEYS);
        if (keys != null) {
            for (String k : keys.split(" ")) {
                if (!k.isEmpty()) {
                    add(topic + "#" + k, phyOffset, ts);
                }
            }
        }
    }

    private void add(String key, long phyOffset, long ts) {
        List<IndexFile> fs = files;
        IndexFile f = fs.isEmpty() ? null : fs.get(fs.size() - 1);
        if (f == null || f.isFull()) {
            f = roll(f, phyOffset);
        }
        f.add(hash(key), phyOffset, ts);
    }

    /** Starts a new index file (synchronized with {@link #dropBefore}, which replaces the list too). */
    private synchronized IndexFile roll(IndexFile full, long phyOffset) {
        long base = phyOffset;
        if (full != null) {
            full.markIndexedUpTo(phyOffset);
            base = Math.max(base, full.segment().baseOffset() + 1);
        }
        IndexFile f = IndexFile.create(disk, dir, base, slots, entries);
        f.markIndexedUpTo(phyOffset);
        List<IndexFile> next = new ArrayList<>(files);
        next.add(f);
        files = next;
        return f;
    }

    static int hash(String key) {
        return key.hashCode() & 0x7FFFFFFF;
    }

    /** Candidate commit-log offsets for {@code topic#key} stored in [begin, end], newest files first. */
    List<Long> lookup(String topic, String key, long begin, long end, int max) {
        int h = hash(topic + "#" + key);
        List<Long> out = new ArrayList<>();
        List<IndexFile> fs = new ArrayList<>(files);
        Collections.reverse(fs);
        for (IndexFile f : fs) {
            if (out.size() >= max) {
                break;
            }
            if (!f.segment().retain()) {
                continue; // dropped by retention meanwhile
            }
            try {
                if (f.endTimestamp() != 0 && (f.endTimestamp() < begin || f.beginTimestamp() > end)) {
                    continue; // its header is read only while the mapping is held
                }
                f.lookup(h, begin, end, max * 4, out);
            } finally {
                f.segment().release();
            }
        }
        return out;
    }

    /** Drops index files whose records all precede {@code commitLogMin} (after retention). */
    synchronized List<MappedSegment> dropBefore(long commitLogMin) {
        List<IndexFile> fs = files;
        List<IndexFile> keep = new ArrayList<>();
        List<MappedSegment> gone = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            boolean last = i == fs.size() - 1;
            if (!last && fs.get(i).endPhyOffset() <= commitLogMin) {
                gone.add(fs.get(i).segment());
            } else {
                keep.add(fs.get(i));
            }
        }
        files = keep;
        return gone;
    }

    void flush() {
        for (IndexFile f : files) {
            f.flush();
        }
    }

    void shutdown() {
        close();
    }

    /** Forces and closes the index files once the loop has stopped. */
    @Override
    protected void onStop() {
        flush();
        for (IndexFile f : files) {
            f.close();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
