package io.quiver.protocol.body;

import java.util.LinkedHashSet;
import java.util.Set;

/** The body of HEART_BEAT (fact sheet §4.1): the client's producer and consumer groups. */
public final class HeartbeatData {
    public String clientID;
    public Set<ProducerData> producerDataSet = new LinkedHashSet<>();
    public Set<ConsumerData> consumerDataSet = new LinkedHashSet<>();

    /** A producer group in the client. */
    public static final class ProducerData {
        public String groupName;
    }

    /** A consumer group in the client with its subscriptions. */
    public static final class ConsumerData {
        public String groupName;
        public String consumeType;
        public String messageModel;
        public String consumeFromWhere;
        public Set<SubscriptionData> subscriptionDataSet = new LinkedHashSet<>();
        public boolean unitMode;
    }
}
