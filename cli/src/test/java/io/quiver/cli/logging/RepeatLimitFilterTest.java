package io.quiver.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Unit tier: repeated warnings are limited per window; other lines and other patterns pass. */
class RepeatLimitFilterTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RepeatLimitFilter filter = new RepeatLimitFilter(now::get);
    private final Logger logger = new LoggerContext().getLogger("io.quiver.Test");

    private FilterReply warn(String format) {
        return filter.decide(null, logger, Level.WARN, format, new Object[] {"x"}, null);
    }

    @Test
    void allowsTheBurstThenDropsRepeatsUntilTheWindowEnds() {
        filter.setBurst(3);
        filter.setWindowSeconds(60);
        for (int i = 0; i < 3; i++) {
            assertThat(warn("registration with {} failed")).isEqualTo(FilterReply.NEUTRAL);
        }
        for (int i = 0; i < 100; i++) {
            assertThat(warn("registration with {} failed")).isEqualTo(FilterReply.DENY);
        }
        assertThat(warn("another pattern {}")).as("patterns are limited separately").isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, logger, Level.INFO, "registration with {} failed", null, null))
            .as("INFO is never limited").isEqualTo(FilterReply.NEUTRAL);
        now.addAndGet(60_000);
        assertThat(warn("registration with {} failed")).as("a new window").isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void remembersABoundedNumberOfPatterns() {
        filter.setBurst(1);
        for (int i = 0; i < RepeatLimitFilter.MAX_KEYS + 10; i++) {
            assertThat(warn("pattern " + i)).isEqualTo(FilterReply.NEUTRAL);
        }
        // The oldest were forgotten, so they pass again; the newest are still limited.
        assertThat(warn("pattern 0")).isEqualTo(FilterReply.NEUTRAL);
        assertThat(warn("pattern " + (RepeatLimitFilter.MAX_KEYS + 9))).isEqualTo(FilterReply.DENY);
    }
}
