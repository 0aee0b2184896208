package io.quiver.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, best-effort log of small trace entries, each findable by any of its keys. Entries are handed
 * over through a bounded queue ({@link #offer}, never blocking: a full queue drops the entry and counts it)
 * and written by this cycle's own thread into segment files under {@code dir/log}, each paired with an
 * {@link IndexFile} under {@code dir/index} from key hash to the entry's position. The oldest pair is deleted
 * when the whole log passes {@code maxBytes} or its newest entry is older than the retention.
 *
 * <p>Record layout: {@code int totalBytes, int crc32c(of what follows), long time, byte keyCount,
 * keyCount x (short length, UTF-8), int payloadLength, payload}. A zero length ends a segment. Segments are
 * forced only when full and at a clean stop; the kernel writes the rest back in its own time, so trace never adds
 * forced writes beside the commit log's. A power cut may lose the last half minute of trace and never anything else. Readers ({@link #lookup}) run on any thread, check every record they are pointed at,
 * and hold a reference on a segment while reading it, so retention never unmaps it under them.
 */
public final class TraceLog extends DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(TraceLog.class);

    /** Largest record accepted; bigger entries are dropped and counted. */
    public static final int MAX_RECORD_BYTES = 32 * 1024;
    /** Most keys one entry may carry. */
    public static final int MAX_KEYS = 64;
    /** Most entries one lookup returns. */
    public static final int MAX_LOOKUP_RESULTS = 2_000;
    /** Entries written per cycle before the thread looks at retention and shutdown again. */
    static final int MAX_ENTRIES_PER_ROUND = 4_096;
    static final long RETENTION_EVERY_MILLIS = 10_000;
    private static final int HEADER_BYTES = 4 + 4 + 8;
    /** Records gathered before one write to the segment. */
    static final int WRITE_BATCH_BYTES = 256 * 1024;

    /**
     * @param dir            where {@code log/} and {@code index/} go
     * @param segmentBytes   size of one log segment
     * @param maxBytes       bound on log plus index files; the oldest pair goes first
     * @param retentionMillis entries older than this are deleted with their segment
     * @param queueCapacity  entries waiting for the writer at most; more are dropped
     */
    public record Config(Path dir, int segmentBytes, long maxBytes, long retentionMillis, int queueCapacity) {
        public Config {
            if (segmentBytes < 64 * 1024) {
                throw new IllegalArgumentException("trace segment size must be at least 64 KiB, not " + segmentBytes);
            }
            long pair = (long) segmentBytes + IndexFile.fileBytes(Math.max(512, Math.max(1024, segmentBytes / 64) / 2),
                Math.max(1024, segmentBytes / 64));
            if (maxBytes < 2L * pair) {
                throw new IllegalArgumentException("trace store bound " + maxBytes + " must hold two segments of "
                    + segmentBytes + " bytes with their indexes (" + 2L * pair + " bytes)");
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("trace queue capacity must be positive");
            }
        }

        int indexEntries() {
            return Math.max(1024, segmentBytes / 64);
        }

        int indexSlots() {
            return Math.max(512, indexEntries() / 2);
        }
    }

    /** One entry: when it happened, the keys it is found by, and its opaque content. */
    public record Entry(long time, List<String> keys, byte[] payload) {
    }

    private record Pair(MappedSegment log, IndexFile index) {
        long bytes() {
            return (long) log.size() + index.segment().size();
        }
    }

    private final Config config;
    private final Disk disk;
    private final Clock clock;
    private final ArrayBlockingQueue<Entry> inbox;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile List<Pair> pairs = List.of();
    private volatile boolean ready;
    /** Owner thread: write position within the newest segment. */
    private int writePos;
    private long lastRetention;
    private final CRC32C crc = new CRC32C();
    /** Owner thread: records encoded but not yet written, and the entries they hold, in order. */
    private final ByteBuffer batch = ByteBuffer.allocate(WRITE_BATCH_BYTES);
    private final List<Entry> batched = new ArrayList<>();
    private int batchedKeys;

    /** A trace log on the local disk. */
    public TraceLog(Config config, Clock clock) {
        this(config, Disk.LOCAL, clock);
    }

    TraceLog(Config config, Disk disk, Clock clock) {
        super("quiver-trace", 100);
        this.config = config;
        this.disk = disk;
        this.clock = clock;
        this.inbox = new ArrayBlockingQueue<>(config.queueCapacity());
    }

    /** Hands an entry to the writer; false (and counted) when the queue is full or the entry too big. */
    public boolean offer(Entry e) {
        if (e.keys().size() > MAX_KEYS || e.payload().length > MAX_RECORD_BYTES / 2 || !inbox.offer(e)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Entries dropped so far because the writer was behind or an entry was too big. */
    public long dropped() {
        return dropped.get();
    }

    /** Entries written so far. */
    public long written() {
        return written.get();
    }

    /** Bytes of log and index files kept now. */
    public long bytes() {
        long sum = 0;
        for (Pair p : pairs) {
            sum += p.bytes();
        }
        return sum;
    }

    /** Whether the files found at start have been checked and lookups see them. */
    public boolean ready() {
        return ready;
    }

    private Path logDir() {
        return config.dir().resolve("log");
    }

    private Path indexDir() {
        return config.dir().resolve("index");
    }

    // ---------------------------------------------------------------- writer thread

    @Override
    protected int doWork() {
        if (!ready) {
            recover();
            ready = true;
        }
        int n = 0;
        Entry e;
        while (n < MAX_ENTRIES_PER_ROUND && (e = inbox.poll()) != null) {
            write(e);
            n++;
        }
        writeBatch();
        long now = clock.millis();
        if (now - lastRetention >= RETENTION_EVERY_MILLIS) {
            lastRetention = now;
            applyRetention(now);
        }
        return n;
    }

    @Override
    protected void onStop() {
        if (ready) {
            Entry e;
            while ((e = inbox.poll()) != null) {
                write(e);
            }
            writeBatch();
            force();
        }
        for (Pair p : pairs) {
            p.index().close();
            p.log().close();
        }
        pairs = List.of();
    }

    /** Adds {@code e} to the batch; the batch is written first when the record would not fit it or the segment. */
    private void write(Entry e) {
        ByteBuffer rec = encode(e);
        if (rec == null) {
            dropped.incrementAndGet();
            return;
        }
        List<Pair> ps = pairs;
        Pair cur = ps.isEmpty() ? null : ps.get(ps.size() - 1);
        if (cur == null || writePos + batch.position() + rec.remaining() + 4 > cur.log().size()
            || cur.index().entryCount() + batchedKeys + e.keys().size() > cur.index().capacity()) {
            writeBatch();
            roll(cur);
        } else if (batch.remaining() < rec.remaining()) {
            writeBatch();
        }
        batch.put(rec);
        batched.add(e);
        batchedKeys += e.keys().size();
    }

    /** Writes the batch at the segment's write position with one call, then indexes its records' keys. */
    private void writeBatch() {
        if (batched.isEmpty()) {
            return;
        }
        List<Pair> ps = pairs;
        Pair cur = ps.get(ps.size() - 1);
        batch.flip();
        int size = batch.limit();
        try {
            long position = cur.log().baseOffset() + writePos;
            cur.log().write(batch, writePos);
            int rel = 0;
            for (Entry e : batched) {
                for (String k : e.keys()) {
                    cur.index().add(hash(k), position + rel, e.time());
                }
                rel += batch.getInt(rel);
            }
            writePos += size;
            cur.index().markIndexedUpTo(cur.log().baseOffset() + writePos);
            written.addAndGet(batched.size());
        } catch (RuntimeException ex) {
            dropped.addAndGet(batched.size()); // a full disk, say: these entries are lost, the next batch starts clean
            throw ex;
        } finally {
            batched.clear();
            batchedKeys = 0;
            batch.clear();
        }
    }

    private ByteBuffer encode(Entry e) {
        List<byte[]> keys = new ArrayList<>(e.keys().size());
        int size = HEADER_BYTES + 1 + 4 + e.payload().length;
        for (String k : e.keys()) {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            if (b.length > Short.MAX_VALUE) {
                return null;
            }
            keys.add(b);
            size += 2 + b.length;
        }
        if (size > MAX_RECORD_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(size).putInt(0).putLong(e.time()).put((byte) keys.size());
        for (byte[] k : keys) {
            b.putShort((short) k.length).put(k);
        }
        b.putInt(e.payload().length).put(e.payload());
        crc.reset();
        crc.update(b.array(), 8, size - 8);
        b.putInt(4, (int) crc.getValue());
        return b.flip();
    }

    private Pair roll(Pair full) {
        long base = full == null ? 0 : full.log().baseOffset() + full.log().size();
        if (full != null) {
            full.log().force();
            full.index().flush();
        }
        MappedSegment seg = MappedSegment.create(disk, logDir(), base, config.segmentBytes(), true);
        IndexFile idx;
        try {
            deleteQuietly(indexDir().resolve(MappedSegment.fileName(base)));
            idx = IndexFile.create(disk, indexDir(), base, config.indexSlots(), config.indexEntries());
        } catch (RuntimeException ex) {
            seg.delete();
            seg.release();
            throw ex;
        }
        Pair p = new Pair(seg, idx);
        List<Pair> next = new ArrayList<>(pairs);
        next.add(p);
        pairs = next;
        writePos = 0;
        applyRetention(clock.millis());
        return p;
    }

    private void force() {
        List<Pair> ps = pairs;
        if (!ps.isEmpty()) {
            Pair cur = ps.get(ps.size() - 1);
            cur.log().force();
            cur.index().flush();
        }
    }

    /** Deletes the oldest pairs (never the one being written) that are past the size bound or the retention. */
    private void applyRetention(long now) {
        List<Pair> ps = pairs;
        long total = 0;
        for (Pair p : ps) {
            total += p.bytes();
        }
        int drop = 0;
        while (drop < ps.size() - 1) {
            Pair oldest = ps.get(drop);
            long newest = oldest.index().endTimestamp();
            boolean tooOld = newest != 0 && now - newest > config.retentionMillis();
            if (total <= config.maxBytes() && !tooOld) {
                break;
            }
            total -= oldest.bytes();
            drop++;
        }
        if (drop == 0) {
            return;
        }
        List<Pair> gone = ps.subList(0, drop);
        pairs = new ArrayList<>(ps.subList(drop, ps.size()));
        for (Pair p : gone) {
            p.index().segment().delete();
            p.index().segment().release();
            p.log().delete();
            p.log().release();
        }
        log.debug("trace store: deleted {} old segment(s)", gone.size());
    }

    /**
     * Opens what an earlier run left: every log segment with its index; an index that is missing, damaged or
     * of other dimensions, and always the newest one (whose last entries may not have reached its index), is
     * rebuilt from its segment. A segment of another size (the setting was changed) cannot be opened and is
     * deleted, with a warning: trace is best-effort.
     */
    private void recover() {
        List<String> names = new ArrayList<>(disk.list(logDir()));
        names.removeIf(n -> !n.matches("\\d{20}"));
        Collections.sort(names);
        List<MappedSegment> logs = new ArrayList<>();
        for (String name : names) {
            Path lp = logDir().resolve(name);
            try {
                logs.add(MappedSegment.open(disk, lp, Long.parseLong(name), config.segmentBytes()));
            } catch (RuntimeException ex) {
                log.warn("trace store: segment {} cannot be opened ({}); deleted with its index", lp, ex.getMessage());
                deleteQuietly(lp);
                deleteQuietly(indexDir().resolve(name));
            }
        }
        java.util.Set<String> kept = new HashSet<>();
        logs.forEach(l -> kept.add(MappedSegment.fileName(l.baseOffset())));
        for (String name : disk.list(indexDir())) {
            if (!kept.contains(name)) {
                deleteQuietly(indexDir().resolve(name)); // an index whose segment is gone
            }
        }
        List<Pair> found = new ArrayList<>();
        try {
            for (int i = 0; i < logs.size(); i++) {
                MappedSegment seg = logs.get(i);
                boolean newest = i == logs.size() - 1;
                Path ip = indexDir().resolve(MappedSegment.fileName(seg.baseOffset()));
                IndexFile idx = null;
                if (!newest && disk.exists(ip)) {
                    try {
                        idx = IndexFile.open(disk, ip, seg.baseOffset(), config.indexSlots(), config.indexEntries());
                    } catch (RuntimeException ex) {
                        idx = null; // another size: rebuilt below
                    }
                }
                int end = newest || idx == null ? scanEnd(seg) : -1;
                if (idx == null) {
                    deleteQuietly(ip);
                    idx = IndexFile.create(disk, indexDir(), seg.baseOffset(), config.indexSlots(), config.indexEntries());
                    reindex(seg, end, idx);
                }
                found.add(new Pair(seg, idx));
                if (newest) {
                    writePos = end;
                    // a torn batch never looks whole at a later start, even where a new write ends on its boundary
                    seg.writeZeros(end, (int) Math.min(seg.size(), (long) end + WRITE_BATCH_BYTES + MAX_RECORD_BYTES));
                }
            }
        } catch (RuntimeException ex) {
            log.error("trace store: the files in {} cannot be used ({}); starting an empty trace store", config.dir(),
                ex.toString());
            for (MappedSegment l : logs) {
                l.close();
                l.release();
            }
            for (Pair p : found) {
                p.index().close();
                p.index().segment().release();
            }
            for (MappedSegment l : logs) {
                deleteQuietly(l.path());
                deleteQuietly(indexDir().resolve(MappedSegment.fileName(l.baseOffset())));
            }
            found.clear();
            writePos = 0;
        }
        pairs = found;
        if (!found.isEmpty()) {
            log.info("trace store: {} segment(s) opened, {} bytes", found.size(), bytes());
        }
    }

    private void deleteQuietly(Path p) {
        try {
            if (disk.exists(p)) {
                disk.delete(p);
            }
        } catch (RuntimeException ex) {
            log.warn("trace store: cannot delete {}: {}", p, ex.getMessage());
        }
    }

    /** Position after the last whole record of {@code seg}. */
    private int scanEnd(MappedSegment seg) {
        ByteBuffer b = seg.buffer();
        int pos = 0;
        while (pos + HEADER_BYTES <= seg.size()) {
            int len = b.getInt(pos);
            if (len < HEADER_BYTES + 5 || len > MAX_RECORD_BYTES || pos + len > seg.size() || !crcMatches(b, pos, len)) {
                break;
            }
            pos += len;
        }
        return pos;
    }

    private void reindex(MappedSegment seg, int end, IndexFile idx) {
        ByteBuffer b = seg.buffer();
        int pos = 0;
        while (pos < end && !idx.isFull()) {
            int len = b.getInt(pos);
            long time = b.getLong(pos + 8);
            for (String k : keysOf(b, pos)) {
                idx.add(hash(k), seg.baseOffset() + pos, time);
            }
            pos += len;
        }
        idx.markIndexedUpTo(seg.baseOffset() + pos);
    }

    // ---------------------------------------------------------------- readers (any thread)

    /**
     * Entries carrying {@code key} whose time is within [{@code begin}, {@code end}], oldest first, at most
     * {@code max} (and never more than {@link #MAX_LOOKUP_RESULTS}).
     */
    public List<Entry> lookup(String key, long begin, long end, int max) {
        int limit = Math.max(0, Math.min(max, MAX_LOOKUP_RESULTS));
        int h = hash(key);
        List<Pair> ps = new ArrayList<>(pairs);
        Collections.reverse(ps);
        List<Entry> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        List<Long> candidates = new ArrayList<>();
        for (Pair p : ps) {
            if (out.size() >= limit) {
                break;
            }
            IndexFile idx = p.index();
            if (!p.log().retain()) {
                continue;
            }
            if (!idx.segment().retain()) {
                p.log().release();
                continue;
            }
            try {
                if (idx.endTimestamp() != 0 && (idx.endTimestamp() < begin || idx.beginTimestamp() > end)) {
                    continue; // the references are given back below
                }
                candidates.clear();
                idx.lookup(h, begin, end, (limit - out.size()) * 4, candidates);
                for (long pos : candidates) {
                    if (out.size() < limit && seen.add(pos)) {
                        Entry e = read(p.log(), pos, key);
                        if (e != null && e.time() >= begin && e.time() <= end) {
                            out.add(e);
                        }
                    }
                }
            } finally {
                idx.segment().release();
                p.log().release();
            }
        }
        out.sort(Comparator.comparingLong(Entry::time));
        return out;
    }

    /** The record at global {@code position} if it is whole and carries {@code key}; else null. */
    private Entry read(MappedSegment seg, long position, String key) {
        long rel = position - seg.baseOffset();
        if (rel < 0 || rel + HEADER_BYTES > seg.size()) {
            return null;
        }
        ByteBuffer b = seg.buffer();
        int pos = (int) rel;
        int len = b.getInt(pos);
        if (len < HEADER_BYTES + 5 || len > MAX_RECORD_BYTES || pos + len > seg.size() || !crcMatches(b, pos, len)) {
            return null;
        }
        List<String> keys = keysOf(b, pos);
        if (!keys.contains(key)) {
            return null;
        }
        int p = pos + HEADER_BYTES + 1;
        for (String k : keys) {
            p += 2 + k.getBytes(StandardCharsets.UTF_8).length;
        }
        int payloadLen = b.getInt(p);
        if (payloadLen < 0 || p + 4 + payloadLen > pos + len) {
            return null;
        }
        byte[] payload = new byte[payloadLen];
        b.get(p + 4, payload);
        return new Entry(b.getLong(pos + 8), keys, payload);
    }

    private static List<String> keysOf(ByteBuffer b, int pos) {
        int n = b.get(pos + HEADER_BYTES) & 0xFF;
        List<String> keys = new ArrayList<>(n);
        int p = pos + HEADER_BYTES + 1;
        for (int i = 0; i < n; i++) {
            int len = b.getShort(p);
            byte[] k = new byte[len];
            b.get(p + 2, k);
            keys.add(new String(k, StandardCharsets.UTF_8));
            p += 2 + len;
        }
        return keys;
    }

    private static boolean crcMatches(ByteBuffer b, int pos, int len) {
        CRC32C c = new CRC32C();
        c.update(b.slice(pos + 8, len - 8));
        return (int) c.getValue() == b.getInt(pos + 4);
    }

    static int hash(String key) {
        return key.hashCode() & 0x7FFFFFFF;
    }
}
