package io.quiver.store;

import io.quiver.protocol.message.MessageRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks a store directory without changing it: every commit-log record's length, magic and CRC, and every
 * consume-queue entry against the record it points at. Meant for a stopped broker (a running one may show
 * its newest bytes as incomplete). Segment sizes are taken from the files, so no configuration is needed.
 */
public final class StoreVerifier {
    /** Bound on the problems listed in a report (all are counted). */
    public static final int MAX_PROBLEMS_LISTED = 100;

    /** What the walk found. {@link #damaged()} is true if anything is wrong. */
    public record Report(int segments, long records, long recordBytes, long crcFailures, long damagedBytes, int queues,
                         long queueEntries, long expiredEntries, long mismatches, List<String> problems) {
        public boolean damaged() {
            return crcFailures > 0 || mismatches > 0;
        }
    }

    private StoreVerifier() {}

    /** Verifies {@code dir} (a broker data directory holding {@code commitlog/} and {@code consumequeue/}). */
    public static Report verify(Path dir) {
        List<String> problems = new ArrayList<>();
        long[] crc = new long[2];
        Path clDir = dir.resolve("commitlog");
        Optional<Integer> segSize = fileSize(clDir);
        SegmentedFile cl = new SegmentedFile(Disk.LOCAL, clDir, segSize.orElse(64 * 1024));
        if (segSize.isPresent()) {
            cl.load();
        }
        long[] recs = new long[2];
        MappedSegment[] segs = cl.segments();
        walk(cl, recs, crc, problems);
        long clMin = segs.length == 0 ? 0 : segs[0].baseOffset();
        int queues = 0;
        long entries = 0;
        long expired = 0;
        long mismatches = 0;
        Path cqRoot = dir.resolve("consumequeue");
        if (Files.isDirectory(cqRoot)) {
            try (Stream<Path> topics = Files.list(cqRoot)) {
                for (Path topicDir : topics.filter(Files::isDirectory).sorted().toList()) {
                    try (Stream<Path> ids = Files.list(topicDir)) {
                        for (Path qDir : ids.filter(Files::isDirectory).sorted().toList()) {
                            Optional<Integer> cqSize = fileSize(qDir);
                            if (cqSize.isEmpty()) {
                                continue;
                            }
                            queues++;
                            String topic = topicDir.getFileName().toString();
                            int queueId = Integer.parseInt(qDir.getFileName().toString());
                            ConsumeQueue cq = new ConsumeQueue(Disk.LOCAL, topic, queueId, qDir, cqSize.get() / ConsumeQueue.ENTRY_BYTES);
                            cq.load();
                            ConsumeQueue.Entry e = new ConsumeQueue.Entry();
                            for (long o = cq.minOffset(); o < cq.maxOffset(); o++) {
                                if (!cq.read(o, e)) {
                                    continue;
                                }
                                entries++;
                                if (e.commitLogOffset < clMin) {
                                    expired++;
                                    continue;
                                }
                                String why = checkEntry(cl, e, topic, queueId, o);
                                if (why != null) {
                                    mismatches++;
                                    note(problems, "queue " + topic + "-" + queueId + " offset " + o + ": " + why);
                                }
                            }
                            cq.close();
                        }
                    }
                }
            } catch (IOException ex) {
                throw new StoreException("cannot list " + cqRoot + ": " + ex.getMessage(), ex);
            }
        }
        cl.close();
        return new Report(segs.length, recs[0], recs[1], crc[0], crc[1], queues, entries, expired, mismatches, problems);
    }

    /**
     * Walks the log as recovery does: records, blank markers, and damage stepped over when valid entries
     * follow it (each damaged range is one CRC failure). Zeros or damage with nothing valid after them end
     * the data; a torn end in a segment that has later segments is reported too.
     */
    private static void walk(SegmentedFile cl, long[] recs, long[] damage, List<String> problems) {
        MappedSegment first = cl.first();
        if (first == null) {
            return;
        }
        int[] size = new int[1];
        long pos = first.baseOffset();
        for (MappedSegment seg = first; seg != null; seg = cl.segmentFor(pos)) {
            CommitLog.EntryKind kind = CommitLog.inspect(seg, pos, Integer.MAX_VALUE, size);
            switch (kind) {
                case RECORD -> {
                    recs[0]++;
                    recs[1] += size[0];
                    pos += size[0] + CommitLog.TRAILER_BYTES;
                }
                case BLANK -> pos = seg.endOffset();
                case END, DAMAGED -> {
                    long next = CommitLog.nextValidEntry(cl, pos, Integer.MAX_VALUE);
                    if (next < 0) {
                        if (kind == CommitLog.EntryKind.DAMAGED || seg != cl.last()) {
                            damage[0]++;
                            note(problems, "commit log: the data ends at offset " + pos + " in segment "
                                + seg.path().getFileName() + (kind == CommitLog.EntryKind.DAMAGED ? " with a torn record"
                                : " before the segment's end marker, but later segments exist (lost data)"));
                        }
                        return;
                    }
                    damage[0]++;
                    damage[1] += next - pos;
                    note(problems, "commit log: " + (next - pos) + " damaged bytes at offsets [" + pos + ", " + next
                        + ") in segment " + seg.path().getFileName() + "; valid records follow");
                    pos = next;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private static String checkEntry(SegmentedFile cl, ConsumeQueue.Entry e, String topic, int queueId, long offset) {
        MappedSegment seg = cl.segmentFor(e.commitLogOffset);
        if (seg == null) {
            return "points at commit-log offset " + e.commitLogOffset + ", beyond the log";
        }
        int[] size = new int[1];
        if (CommitLog.inspect(seg, e.commitLogOffset, Integer.MAX_VALUE, size) != CommitLog.EntryKind.RECORD) {
            return "points at commit-log offset " + e.commitLogOffset + ", which holds no valid record";
        }
        if (size[0] != e.size) {
            return "size " + e.size + " differs from the record's " + size[0];
        }
        ByteBuffer r = seg.slice((int) (e.commitLogOffset - seg.baseOffset()), size[0]);
        if (r.getInt(MessageRecord.POS_QUEUE_ID) != queueId || r.getLong(MessageRecord.POS_QUEUE_OFFSET) != offset
            || !topic.equals(MessageRecord.topicOf(r))) {
            return "the record at commit-log offset " + e.commitLogOffset + " belongs to " + MessageRecord.topicOf(r) + "-"
                + r.getInt(MessageRecord.POS_QUEUE_ID) + " offset " + r.getLong(MessageRecord.POS_QUEUE_OFFSET);
        }
        return null;
    }

    private static void note(List<String> problems, String p) {
        if (problems.size() < MAX_PROBLEMS_LISTED) {
            problems.add(p);
        }
    }

    private static Optional<Integer> fileSize(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            Optional<Path> first = s.filter(p -> p.getFileName().toString().matches("\\d{20}")).findFirst();
            if (first.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of((int) Files.size(first.get()));
        } catch (IOException e) {
            throw new StoreException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
