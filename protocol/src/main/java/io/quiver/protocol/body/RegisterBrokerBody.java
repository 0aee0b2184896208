package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The body of REGISTER_BROKER, uncompressed form (fact sheet §3.2). */
public final class RegisterBrokerBody {
    public TopicConfigTable topicConfigSerializeWrapper = new TopicConfigTable();
    public List<String> filterServerList = new ArrayList<>();

    /**
     * Why the name server cannot take this body's topics into its route table, as a sentence for the broker,
     * or null: every topic entry needs a config with a topic name and queue counts that are not negative.
     * (Both the wrapper and its table may be absent: a registration without topics.)
     */
    public String problem() {
        if (topicConfigSerializeWrapper == null || topicConfigSerializeWrapper.topicConfigTable == null) {
            return null;
        }
        for (Map.Entry<String, TopicConfig> e : topicConfigSerializeWrapper.topicConfigTable.entrySet()) {
            TopicConfig c = e.getValue();
            if (c == null) {
                return "the topic config of '" + e.getKey() + "' is null";
            }
            if (c.topicName == null || c.topicName.isBlank()) {
                return "the topic config of '" + e.getKey() + "' has no topicName";
            }
            if (c.readQueueNums < 0 || c.writeQueueNums < 0) {
                return "topic " + c.topicName + " has a negative queue count (read " + c.readQueueNums + ", write "
                    + c.writeQueueNums + ")";
            }
        }
        return null;
    }
}
