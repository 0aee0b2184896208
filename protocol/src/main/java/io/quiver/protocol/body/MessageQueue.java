package io.quiver.protocol.body;

import java.util.Objects;

/** One queue of a topic on a broker. */
public final class MessageQueue {
    public String topic;
    public String brokerName;
    public int queueId;

    public MessageQueue() {}

    public MessageQueue(String topic, String brokerName, int queueId) {
        this.topic = topic;
        this.brokerName = brokerName;
        this.queueId = queueId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageQueue q && q.queueId == queueId && Objects.equals(q.topic, topic)
            && Objects.equals(q.brokerName, brokerName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, brokerName, queueId);
    }

    @Override
    public String toString() {
        return topic + "@" + brokerName + "#" + queueId;
    }
}
