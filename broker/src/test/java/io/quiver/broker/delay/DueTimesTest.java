package io.quiver.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.DelayLevels;
import io.quiver.protocol.message.TopicNames;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Recovery's tag codes equal what the send path gave: due times for delay levels and timers, tag hashes otherwise. */
@Timeout(10)
class DueTimesTest {
    private final DueTimes rule = new DueTimes(DelayLevels.parse(DelayLevels.DEFAULT));
    private static final long STORED = 1_700_000_000_000L;

    @Test
    void aDelayLevelRecordIsDueAtItsStoreTimePlusTheLevelsDelay() {
        assertThat(rule.tagsCode(TopicNames.SCHEDULE_TOPIC, Map.of("DELAY", "3", "TAGS", "x"), STORED))
            .isEqualTo(STORED + 10_000); // level 3 is 10s in the default table
        assertThat(rule.tagsCode(TopicNames.SCHEDULE_TOPIC, Map.of("DELAY", "99"), STORED))
            .isEqualTo(STORED + 2 * 3_600_000L); // clamped to the last level, 2h
    }

    @Test
    void aTimerRecordIsDueAtItsTimerOutTime() {
        assertThat(rule.tagsCode(TopicNames.TIMER_TOPIC, Map.of(DueTimes.TIMER_OUT_MS, "1700000123456"), STORED))
            .isEqualTo(1_700_000_123_456L);
        assertThat(rule.tagsCode(TopicNames.TIMER_TOPIC, Map.of(DueTimes.TIMER_OUT_MS, "garbage"), STORED))
            .as("an unreadable time makes it due at once, never lost").isEqualTo(STORED);
    }

    @Test
    void anyOtherRecordCarriesItsTagHash() {
        assertThat(rule.tagsCode("Orders", Map.of("TAGS", "TagA", "DELAY", "3"), STORED)).isEqualTo("TagA".hashCode());
        assertThat(rule.tagsCode("Orders", Map.of(), STORED)).isZero();
    }
}
