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

        /**
         * Why the broker cannot act on this request, as a sentence for the client, or null: a lock belongs to
         * a group and a client, so both must be named, and every queue needs a topic.
         */
        public String problem() {
            if (consumerGroup == null || consumerGroup.isBlank()) {
                return "the lock request has no consumerGroup";
            }
            if (clientId == null || clientId.isBlank()) {
                return "the lock request of group " + consumerGroup + " has no clientId";
            }
            if (mqSet == null) {
                return "the lock request of group " + consumerGroup + " has a null mqSet (send [] for no queues)";
            }
            int i = 0;
            for (MessageQueue q : mqSet) {
                if (q == null || q.topic == null || q.topic.isBlank()) {
                    return "mqSet[" + i + "] of the lock request of group " + consumerGroup
                        + (q == null ? " is null" : " has no topic");
                }
                i++;
            }
            return null;
        }
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
