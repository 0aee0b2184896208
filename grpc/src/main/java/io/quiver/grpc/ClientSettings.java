package io.quiver.grpc;

import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.CustomizedBackoff;
import apache.rocketmq.v2.ExponentialBackoff;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.RetryPolicy;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.SubscriptionEntry;
import com.google.protobuf.util.Durations;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.SubscriptionData;
import java.time.Duration;

/**
 * A client's settings in both directions: the answer the broker gives on the Telemetry stream (its limits and a
 * group's retry policy merged into what the client sent; the SDKs wait for it before they start) and the
 * registration the broker keeps (the remoting heartbeat a client with these settings stands for).
 */
final class ClientSettings {
    /**
     * Messages one receive asks for, told to push consumers: RocketMQ's proxy's 32. The Java SDK holds at most 1 024
     * messages (received, and not yet acknowledged) over all its assignments, and waits a whole second before the next
     * receive of an assignment that is full: with {@link RouteService#RECEIVE_LANES} lanes, larger batches filled
     * theirs and waited (at 128 the SDK logged its cache full while consuming a backlog).
     */
    static final int RECEIVE_BATCH_SIZE = 32;
    /** Longest wait of one receive, told to consumers. */
    static final Duration LONG_POLLING_TIMEOUT = Duration.ofSeconds(20);
    static final int PRODUCER_MAX_ATTEMPTS = 3;

    private ClientSettings() {}

    /** The settings returned to a client that sent {@code s}, or null when it is neither a producer nor a consumer. */
    static Settings answer(Settings s, BrokerView broker) {
        Settings.Builder b = s.toBuilder();
        if (s.hasPublishing()) {
            b.setBackoffPolicy(RetryPolicy.newBuilder().setMaxAttempts(PRODUCER_MAX_ATTEMPTS)
                .setExponentialBackoff(ExponentialBackoff.newBuilder().setInitial(Durations.fromMillis(10))
                    .setMax(Durations.fromSeconds(1)).setMultiplier(2)));
            b.setPublishing(s.getPublishing().toBuilder().setMaxBodySize(broker.maxMessageSize())
                .setValidateMessageType(true));
        } else if (s.hasSubscription()) {
            BrokerView.GroupView g = s.getSubscription().hasGroup() ? broker.group(s.getSubscription().getGroup().getName())
                : null;
            if (g == null) {
                g = new BrokerView.GroupView(16, java.util.List.of(Duration.ofSeconds(10)), false);
            }
            CustomizedBackoff.Builder delays = CustomizedBackoff.newBuilder();
            for (Duration d : g.retryDelays()) {
                delays.addNext(Durations.fromMillis(d.toMillis()));
            }
            b.setBackoffPolicy(RetryPolicy.newBuilder().setMaxAttempts(g.retryMaxTimes() + 1).setCustomizedBackoff(delays));
            b.setSubscription(s.getSubscription().toBuilder().setReceiveBatchSize(RECEIVE_BATCH_SIZE)
                .setLongPollingTimeout(Durations.fromMillis(LONG_POLLING_TIMEOUT.toMillis())).setFifo(g.orderly()));
        } else {
            return null;
        }
        b.setMetric(apache.rocketmq.v2.Metric.newBuilder().setOn(false));
        return b.build();
    }

    /** The remoting heartbeat that registers a client with settings {@code s} at the broker. */
    static HeartbeatData heartbeat(String clientId, Settings s) {
        HeartbeatData hb = new HeartbeatData();
        hb.clientID = clientId;
        if (s.hasPublishing()) {
            for (Resource topic : s.getPublishing().getTopicsList()) {
                HeartbeatData.ProducerData p = new HeartbeatData.ProducerData();
                p.groupName = topic.getName(); // a gRPC producer has no group: it publishes as its topic, as in RocketMQ
                hb.producerDataSet.add(p);
            }
        }
        if (s.hasSubscription() && s.getSubscription().hasGroup()) {
            HeartbeatData.ConsumerData c = new HeartbeatData.ConsumerData();
            c.groupName = s.getSubscription().getGroup().getName();
            c.consumeType = s.getClientType() == ClientType.PUSH_CONSUMER ? "CONSUME_PASSIVELY" : "CONSUME_ACTIVELY";
            c.messageModel = "CLUSTERING";
            c.consumeFromWhere = "CONSUME_FROM_LAST_OFFSET";
            for (SubscriptionEntry e : s.getSubscription().getSubscriptionsList()) {
                c.subscriptionDataSet.add(subscription(e));
            }
            hb.consumerDataSet.add(c);
        }
        return hb;
    }

    static SubscriptionData subscription(SubscriptionEntry e) {
        String topic = e.getTopic().getName();
        String exp = e.getExpression().getExpression();
        if (e.getExpression().getType() == FilterType.SQL) {
            SubscriptionData d = new SubscriptionData();
            d.topic = topic;
            d.subString = exp;
            d.expressionType = SubscriptionData.SQL92;
            d.subVersion = System.currentTimeMillis();
            return d;
        }
        return SubscriptionData.ofTags(topic, exp, System.currentTimeMillis());
    }
}
