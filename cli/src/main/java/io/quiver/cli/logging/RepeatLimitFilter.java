package io.quiver.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps a repeating warning or error from flooding the log: each (logger, message pattern) may log
 * {@link #setBurst burst} times per {@link #setWindowSeconds window}; further repeats in that window are
 * dropped and counted, and the first repeat after it is preceded by one line saying how many were
 * dropped. Lines below WARN are never limited. Remembers at most {@link #MAX_KEYS} patterns (least
 * recently seen forgotten first), so memory stays bounded whatever is logged.
 */
public final class RepeatLimitFilter extends TurboFilter {
    public static final int MAX_KEYS = 1_000;
    static final String SUMMARY_LOGGER = "io.quiver.log.RepeatLimit";

    private static final class Window {
        long startMillis;
        int count;
        long suppressed;
    }

    private final Map<String, Window> windows = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > MAX_KEYS;
        }
    };
    private final LongSupplier clock;
    private int burst = 5;
    private long windowMillis = 60_000;

    public RepeatLimitFilter() {
        this(System::currentTimeMillis);
    }

    RepeatLimitFilter(LongSupplier clock) {
        this.clock = clock;
    }

    public void setBurst(int burst) {
        this.burst = Math.max(1, burst);
    }

    public void setWindowSeconds(int seconds) {
        this.windowMillis = Math.max(1, seconds) * 1000L;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || format == null
            || logger.getName().equals(SUMMARY_LOGGER)) {
            return FilterReply.NEUTRAL;
        }
        String key = logger.getName() + '|' + format;
        long now = clock.getAsLong();
        long dropped = 0;
        synchronized (windows) {
            Window w = windows.computeIfAbsent(key, k -> new Window());
            if (now - w.startMillis >= windowMillis) {
                dropped = w.suppressed;
                w.startMillis = now;
                w.count = 0;
                w.suppressed = 0;
            }
            if (++w.count > burst) {
                w.suppressed++;
                return FilterReply.DENY;
            }
        }
        if (dropped > 0) {
            LoggerFactory.getLogger(SUMMARY_LOGGER).warn("{} more lines like the next one were dropped in the last {} s",
                dropped, windowMillis / 1000);
        }
        return FilterReply.NEUTRAL;
    }
}
