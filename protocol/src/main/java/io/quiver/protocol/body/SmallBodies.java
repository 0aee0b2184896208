package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Bodies with one or two fields, grouped to keep the package readable. Names are the wire names. */
public final class SmallBodies {
    private SmallBodies() {}

    /** Response of GET_CONSUMER_LIST_BY_GROUP. */
    public static final class ConsumerIdList {
        public List<String> consumerIdList = new ArrayList<>();
    }

    /** Request of LOCK_BATCH_MQ and UNLOCK_BATCH_MQ. */
    public static final class LockBatchRequest {
        public String consumerGroup;
        public String clientId;
        public Set<MessageQueue> mqSet = new LinkedHashSet<>();
        public boolean onlyThisBroker;
    }

    /** Response of LOCK_BATCH_MQ. */
    public static final class LockBatchResponse {
        public Set<MessageQueue> lockOKMQSet = new LinkedHashSet<>();
    }

    /** Request of CHECK_CLIENT_CONFIG. */
    public static final class CheckClientRequest {
        public String clientId;
        public String group;
        public SubscriptionData subscriptionData;
    }

    /** One client connection as listed by admin calls. */
    public static final class Connection {
        public String clientId;
        public String clientAddr;
        public String language;
        public int version;
    }

    /** Response of GET_PRODUCER_CONNECTION_LIST. */
    public static final class ProducerConnection {
        public Set<Connection> connectionSet = new LinkedHashSet<>();
    }

    /** Response of GET_CONSUMER_CONNECTION_LIST. */
    public static final class ConsumerConnection {
        public Set<Connection> connectionSet = new LinkedHashSet<>();
        public Map<String, SubscriptionData> subscriptionTable = new HashMap<>();
        public String consumeType;
        public String messageModel;
        public String consumeFromWhere;
    }
}
