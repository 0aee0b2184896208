package io.quiver.protocol.body;

/** A consumer group's broker-side settings (fact sheet §9.5). */
public final class SubscriptionGroupConfig {
    public String groupName;
    public boolean consumeEnable = true;
    public boolean consumeFromMinEnable = true;
    public boolean consumeBroadcastEnable = true;
    public boolean consumeMessageOrderly;
    public int retryQueueNums = 1;
    public int retryMaxTimes = 16;
    public long brokerId;
    public long whichBrokerWhenConsumeSlowly = 1;
    public boolean notifyConsumerIdsChangedEnable = true;

    public SubscriptionGroupConfig() {}

    public SubscriptionGroupConfig(String groupName) {
        this.groupName = groupName;
    }
}
