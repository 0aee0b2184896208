package io.quiver.broker.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.SubscriptionGroupConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: RetryPolicy sends a message to the DLQ once reconsumeTimes reaches the client's maximum, else the group's retryMaxTimes. */
@Timeout(10)
class RetryPolicyTest {
    private final SubscriptionGroupConfig group = new SubscriptionGroupConfig("G1");

    @Test
    void theGroupDefaultOf16Applies() {
        assertThat(group.retryMaxTimes).isEqualTo(16);
        assertThat(RetryPolicy.exhausted(15, null, group)).isFalse();
        assertThat(RetryPolicy.exhausted(16, null, group)).isTrue();
        assertThat(RetryPolicy.exhausted(17, null, group)).isTrue();
    }

    @Test
    void theGroupsOwnRetryMaxTimesApplies() {
        group.retryMaxTimes = 3;
        assertThat(RetryPolicy.exhausted(2, null, group)).isFalse();
        assertThat(RetryPolicy.exhausted(3, null, group)).isTrue();
    }

    @Test
    void theClientsMaximumWinsOverTheGroups() {
        assertThat(RetryPolicy.exhausted(2, 2, group)).isTrue();
        assertThat(RetryPolicy.exhausted(1, 2, group)).isFalse();
        assertThat(RetryPolicy.exhausted(16, 20, group)).isFalse();
        assertThat(RetryPolicy.exhausted(0, 0, group)).isTrue();
    }

    @Test
    void aNegativeClientMaximumMeansTheGroups() {
        assertThat(RetryPolicy.exhausted(15, -1, group)).isFalse();
        assertThat(RetryPolicy.exhausted(16, -1, group)).isTrue();
    }
}
