package io.quiver.protocol.body;

import java.util.Set;
import java.util.TreeSet;

/** A list of topic names (fact sheet §3.4). */
public final class TopicList {
    public Set<String> topicList = new TreeSet<>();
    public String brokerAddr;
}
