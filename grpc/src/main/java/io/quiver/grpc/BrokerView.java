package io.quiver.grpc;

import java.time.Duration;
import java.util.List;

/**
 * What the gRPC endpoint needs to know of the broker it serves and cannot ask over remoting: its name, its topics'
 * queues and message types, its consumer groups' retry policy and its size limit. The broker implements it over its
 * own tables; tests implement it directly.
 */
public interface BrokerView {
    String brokerName();

    /** The topic as the broker serves it; null when it has no such topic and would not create it on a send. */
    TopicView topic(String name);

    /** The group's policy; null when the broker has no such group and would not create it. */
    GroupView group(String name);

    /** Largest body the broker stores (maxMessageSize). */
    int maxMessageSize();

    /**
     * A topic's queues. {@code messageType} is the topic's {@code message.type} attribute (NORMAL, FIFO, DELAY,
     * TRANSACTION, MIXED), or null when it has none: then it takes every type.
     */
    record TopicView(String name, int readQueues, int writeQueues, int perm, String messageType) {}

    /** A group's policy: how often a message is redelivered, the delays between, and whether it consumes in order. */
    record GroupView(int retryMaxTimes, List<Duration> retryDelays, boolean orderly) {}
}
