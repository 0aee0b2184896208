package io.quiver.protocol.body;

import io.quiver.protocol.message.PermName;
import java.util.Map;

/** A topic's configuration on a broker (fact sheet §9.5). */
public final class TopicConfig {
    public String topicName;
    public int readQueueNums;
    public int writeQueueNums;
    public int perm = PermName.READ_WRITE;
    public String topicFilterType = "SINGLE_TAG";
    public int topicSysFlag;
    public boolean order;
    public Map<String, String> attributes;

    public TopicConfig() {}

    public TopicConfig(String topicName, int queues, int perm) {
        this.topicName = topicName;
        this.readQueueNums = queues;
        this.writeQueueNums = queues;
        this.perm = perm;
    }

    public TopicConfig copy() {
        TopicConfig c = new TopicConfig(topicName, 0, perm);
        c.readQueueNums = readQueueNums;
        c.writeQueueNums = writeQueueNums;
        c.topicFilterType = topicFilterType;
        c.topicSysFlag = topicSysFlag;
        c.order = order;
        c.attributes = attributes == null ? null : Map.copyOf(attributes);
        return c;
    }
}
