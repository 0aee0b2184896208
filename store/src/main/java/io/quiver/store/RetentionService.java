package io.quiver.store;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old commit-log segments (and the consume-queue files that only index them) and watches disk
 * use (fact sheet §13 defaults: 72 h, at 04:00, or at once when the disk passes 75 %). Runs on the store's
 * maintenance thread only. A segment is expired when the first message of the <em>next</em> segment is
 * older than the reserved time: every message in it is older still. The active (last) segment is never
 * deleted.
 */
final class RetentionService {
    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    /** Most segments deleted in one run, so one run stays short. */
    static final int MAX_SEGMENTS_PER_RUN = 10;

    private final MessageStore store;
    private final RetentionConfig config;
    private final DiskSpace disk;
    private final ZoneId zone;
    private volatile boolean diskFull;
    private volatile double lastRatio;
    private volatile long lastAvailable = Long.MAX_VALUE;

    RetentionService(MessageStore store, RetentionConfig config, DiskSpace disk, ZoneId zone) {
        this.store = store;
        this.config = config;
        this.disk = disk;
        this.zone = zone;
    }

    boolean diskFull() {
        return diskFull;
    }

    double lastRatio() {
        return lastRatio;
    }

    long lastAvailable() {
        return lastAvailable;
    }

    /** Re-reads disk use and sets or clears the disk-full flag, logging each change once. */
    void refreshDisk() {
        double ratio = disk.usedRatio();
        long available = disk.availableBytes();
        lastRatio = ratio;
        lastAvailable = available;
        boolean full = ratio >= config.refuseWritesRatio() || available < config.minFreeBytes();
        if (full != diskFull) {
            diskFull = full;
            if (full) {
                log.error("{}: refusing writes until space is freed; reads continue", describe());
            } else {
                log.warn("disk {}% full with {} MiB available, within the limits again: accepting writes",
                    percent(ratio), available >> 20);
            }
        }
    }

    /** Why writes are refused, with the figures and the settings that decide it. */
    String describe() {
        return "the broker's disk is " + percent(lastRatio) + "% full with " + (lastAvailable >> 20)
            + " MiB available; writes are refused at " + percent(config.refuseWritesRatio())
            + "% (diskSpaceWarningLevelRatio) or below " + (config.minFreeBytes() >> 20) + " MiB available (diskMinFreeBytes)";
    }

    static long percent(double ratio) {
        return Math.round(ratio * 100);
    }

    /** One retention pass at {@code nowMillis}; returns how many commit-log segments were deleted. */
    int runOnce(long nowMillis) {
        refreshDisk();
        double ratio = lastRatio;
        int hour = Instant.ofEpochMilli(nowMillis).atZone(zone).getHour();
        boolean scheduled = config.deleteHours().contains(hour);
        boolean pressure = ratio >= config.cleanRatio();
        boolean forcible = config.forcibleRatio() < 1.0 && ratio >= config.forcibleRatio();
        if (!scheduled && !pressure) {
            return 0;
        }
        MappedSegment[] segs = store.commitLog().file().segments();
        long deleteBefore = -1;
        int count = 0;
        for (int i = 0; i < segs.length - 1 && count < MAX_SEGMENTS_PER_RUN; i++) {
            long newestPossible = CommitLog.firstStoreTimestamp(segs[i + 1]);
            boolean expired = newestPossible > 0 && nowMillis - newestPossible > config.fileReservedMillis();
            if (!expired && !(forcible && count == 0)) {
                break;
            }
            deleteBefore = segs[i].endOffset();
            count++;
        }
        if (deleteBefore < 0) {
            return 0;
        }
        List<MappedSegment> gone = store.deleteBefore(deleteBefore);
        log.info("retention: deleted {} commit-log segment(s) before offset {} (disk {}%{}), {} file(s) in all",
            count, deleteBefore, percent(ratio), forcible ? ", forced" : "", gone.size());
        return count;
    }

    /** For tests and `store verify`: the files a run would remove are listed, nothing is deleted. */
    static List<String> names(List<MappedSegment> segs) {
        List<String> n = new ArrayList<>();
        segs.forEach(s -> n.add(s.path().getFileName().toString()));
        return n;
    }
}
