package io.quiver.protocol.body;

import java.util.Map;
import java.util.TreeMap;

/**
 * A broker's topics with their data version: the body of GET_ALL_TOPIC_CONFIG and the
 * {@code topicConfigSerializeWrapper} of REGISTER_BROKER.
 */
public final class TopicConfigTable {
    public Map<String, TopicConfig> topicConfigTable = new TreeMap<>();
    public DataVersion dataVersion = new DataVersion();
}
