package io.quiver.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which master term wrote which part of the commit log: a list of terms, each with its number (the epoch), the
 * log offset where its records begin, and a random id that tells apart terms of unrelated logs that happen to
 * share a number and an offset. A master opens a term each time it starts; a replica keeps the list its master
 * sent. Two logs that hold the same term agree on every byte before the end of that term in either of them,
 * which is how a master finds the common prefix of its log and a returning replica's ({@link #commonEnd}).
 *
 * <p>Kept in the store's directory as a small text file replaced atomically. Reads take an immutable snapshot
 * from any thread; changes are synchronized and written to disk before they are visible.
 */
public final class EpochHistory {
    private static final Logger log = LoggerFactory.getLogger(EpochHistory.class);

    /** Most terms kept; the oldest are dropped beyond it (their records are far behind every reader). */
    public static final int MAX_ENTRIES = 1_000;
    private static final String HEADER = "quiver-epochs 1";

    /** One master term: its records start at {@code startOffset}. */
    public record Entry(long epoch, long startOffset, long termId) {
        public Entry {
            if (epoch < 1 || startOffset < 0) {
                throw new IllegalArgumentException("epoch " + epoch + " at offset " + startOffset + " is out of range");
            }
        }
    }

    private final Disk disk;
    private final Path file;
    private volatile List<Entry> entries;

    private EpochHistory(Disk disk, Path file, List<Entry> entries) {
        this.disk = disk;
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /** Reads the file; a missing file is an empty history, a damaged one too (and says so in the log). */
    static EpochHistory load(Disk disk, Path file) {
        byte[] content = disk.read(file);
        if (content == null) {
            return new EpochHistory(disk, file, List.of());
        }
        try {
            return new EpochHistory(disk, file, parse(new String(content, StandardCharsets.US_ASCII)));
        } catch (IllegalArgumentException e) {
            log.error("the epoch history {} is damaged ({}); it is ignored, so replicas whose terms it listed must copy "
                + "their master afresh", file, e.getMessage());
            return new EpochHistory(disk, file, List.of());
        }
    }

    static List<Entry> parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("the first line is not '" + HEADER + "'");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(" ");
            if (f.length != 3) {
                throw new IllegalArgumentException("line " + (i + 1) + " has " + f.length + " fields, not 3");
            }
            try {
                out.add(new Entry(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseUnsignedLong(f[2], 16)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not 'epoch offset id'");
            }
        }
        checkOrder(out);
        return out;
    }

    /** Epochs strictly increase, start offsets never decrease. */
    public static void checkOrder(List<Entry> list) {
        for (int i = 1; i < list.size(); i++) {
            Entry a = list.get(i - 1);
            Entry b = list.get(i);
            if (b.epoch() <= a.epoch() || b.startOffset() < a.startOffset()) {
                throw new IllegalArgumentException("term " + b.epoch() + " at " + b.startOffset() + " does not follow term "
                    + a.epoch() + " at " + a.startOffset());
            }
        }
    }

    /** The terms, oldest first (an immutable snapshot). */
    public List<Entry> entries() {
        return entries;
    }

    /** The newest term, or null when there is none. */
    public Entry last() {
        List<Entry> e = entries;
        return e.isEmpty() ? null : e.get(e.size() - 1);
    }

    /**
     * Opens a new term whose records start at {@code startOffset} (a master starting); durable on return. Terms
     * that started beyond it lost their records (a tail the disk never had) and are dropped.
     */
    synchronized Entry begin(long startOffset, long termId) {
        return begin(startOffset, termId, 0);
    }

    /** As above, with an epoch of at least {@code atLeast} (the controllers' epoch, in controller mode). */
    synchronized Entry begin(long startOffset, long termId, long atLeast) {
        List<Entry> list = new ArrayList<>(entries);
        while (!list.isEmpty() && list.get(list.size() - 1).startOffset() > startOffset) {
            list.remove(list.size() - 1);
        }
        long epoch = Math.max(atLeast, entries.isEmpty() ? 1 : entries.get(entries.size() - 1).epoch() + 1);
        Entry next = new Entry(epoch, startOffset, termId);
        list.add(next);
        write(bounded(list));
        return next;
    }

    /** Replaces the whole history (a replica adopting its master's); durable on return. */
    synchronized void replace(List<Entry> list) {
        checkOrder(list);
        if (!list.equals(entries)) {
            write(bounded(new ArrayList<>(list)));
        }
    }

    private static List<Entry> bounded(List<Entry> list) {
        return list.size() <= MAX_ENTRIES ? list : list.subList(list.size() - MAX_ENTRIES, list.size());
    }

    private void write(List<Entry> list) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Entry e : list) {
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append(' ')
                .append(Long.toHexString(e.termId())).append('\n');
        }
        disk.replace(file, sb.toString().getBytes(StandardCharsets.US_ASCII));
        entries = List.copyOf(list);
    }

    /**
     * Where the log of a replica (terms {@code replica}, ending at {@code replicaEnd}) stops agreeing with its
     * master's (terms {@code master}, ending at {@code masterEnd}): the end of the newest term both hold, in
     * whichever of the two logs it ends first, and never beyond either log's end. Returns -1 when they hold no
     * term in common (unrelated logs, or the common terms are no longer listed).
     */
    public static long commonEnd(List<Entry> master, long masterEnd, List<Entry> replica, long replicaEnd) {
        for (int i = replica.size() - 1; i >= 0; i--) {
            Entry r = replica.get(i);
            if (r.startOffset() > replicaEnd) {
                continue; // the replica holds no record of this term
            }
            int j = master.indexOf(r);
            if (j < 0) {
                continue;
            }
            long replicaTermEnd = i + 1 < replica.size() ? replica.get(i + 1).startOffset() : Long.MAX_VALUE;
            long masterTermEnd = j + 1 < master.size() ? master.get(j + 1).startOffset() : masterEnd;
            return Math.min(Math.min(replicaEnd, masterEnd), Math.min(replicaTermEnd, masterTermEnd));
        }
        return -1;
    }
}
