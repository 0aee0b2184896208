package io.quiver.broker.send;

import io.quiver.protocol.body.SubscriptionGroupConfig;

/** The one rule that sends a message to its group's dead-letter queue instead of retrying it again. */
public final class RetryPolicy {
    private RetryPolicy() {}

    /**
     * True once a message consumed {@code reconsumeTimes} times has used up its retries: the client's own
     * maximum when it sent one ({@code maxFromClient} ≥ 0), otherwise the group's {@code retryMaxTimes}.
     */
    public static boolean exhausted(int reconsumeTimes, Integer maxFromClient, SubscriptionGroupConfig group) {
        int max = maxFromClient != null && maxFromClient >= 0 ? maxFromClient : group.retryMaxTimes;
        return reconsumeTimes >= max;
    }
}
