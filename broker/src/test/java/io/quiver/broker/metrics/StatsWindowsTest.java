package io.quiver.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Unit tier: VIEW_BROKER_STATS_DATA's minute, hour and day windows. */
@Tag("unit")
class StatsWindowsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final StatsWindows stats = new StatsWindows(2, now::get);

    private void tick(long millis) {
        now.addAndGet(millis);
        stats.sample();
    }

    @Test
    void aNewItemCountsFromItsFirstMessageAndOldTrafficLeavesTheMinuteButNotTheHour() {
        assertThat(stats.item(StatsWindows.TOPIC_PUT_NUMS, "T")).isNull();
        stats.add(StatsWindows.TOPIC_PUT_NUMS, "T", 5);
        stats.add(StatsWindows.TOPIC_PUT_NUMS, "T", 3);
        tick(10_000);
        StatsWindows.Item i = stats.item(StatsWindows.TOPIC_PUT_NUMS, "T");
        assertThat(i.minute().sum()).isEqualTo(8);
        assertThat(i.minute().tps()).isEqualTo(0.8);
        assertThat(i.minute().avgpt()).isEqualTo(4.0);
        assertThat(i.day().sum()).isEqualTo(8);

        for (int k = 0; k < 12; k++) {
            tick(10_000); // two quiet minutes
        }
        i = stats.item(StatsWindows.TOPIC_PUT_NUMS, "T");
        assertThat(i.minute().sum()).as("nothing in the last minute").isZero();
        assertThat(i.hour().sum()).isEqualTo(8);
        assertThat(i.day().sum()).isEqualTo(8);
        assertThat(stats.item(StatsWindows.GROUP_GET_NUMS, "T@g")).isNull();
    }

    @Test
    void keysBeyondTheBoundAreNotCounted() {
        stats.add(StatsWindows.GROUP_GET_NUMS, "T@a", 1);
        stats.add(StatsWindows.GROUP_GET_NUMS, "T@b", 1);
        stats.add(StatsWindows.GROUP_GET_NUMS, "T@c", 1);
        assertThat(stats.item(StatsWindows.GROUP_GET_NUMS, "T@b")).isNotNull();
        assertThat(stats.item(StatsWindows.GROUP_GET_NUMS, "T@c")).isNull();
    }
}
