package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;

/** The body of REGISTER_BROKER, uncompressed form (fact sheet §3.2). */
public final class RegisterBrokerBody {
    public TopicConfigTable topicConfigSerializeWrapper = new TopicConfigTable();
    public List<String> filterServerList = new ArrayList<>();
}
