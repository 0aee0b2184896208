package io.quiver.protocol.body;

import io.quiver.protocol.message.TopicNames;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

/** The body of HEART_BEAT (fact sheet §4.1): the client's producer and consumer groups. */
public final class HeartbeatData {
    /** The consumeType names clients send (4.9: push and pull; 5.x adds pop). */
    public static final Set<String> CONSUME_TYPES = Set.of("CONSUME_ACTIVELY", "CONSUME_PASSIVELY", "CONSUME_POP");
    public static final Set<String> MESSAGE_MODELS = Set.of("CLUSTERING", "BROADCASTING");
    /** The consumeFromWhere names, the deprecated ones included: 4.9 clients may still send them. */
    public static final Set<String> CONSUME_FROM_WHERE = Set.of("CONSUME_FROM_LAST_OFFSET", "CONSUME_FROM_FIRST_OFFSET",
        "CONSUME_FROM_TIMESTAMP", "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST", "CONSUME_FROM_MIN_OFFSET",
        "CONSUME_FROM_MAX_OFFSET");

    public String clientID;
    public Set<ProducerData> producerDataSet = new LinkedHashSet<>();
    public Set<ConsumerData> consumerDataSet = new LinkedHashSet<>();

    /** A producer group in the client. */
    public static final class ProducerData {
        public String groupName;
    }

    /** A consumer group in the client with its subscriptions. */
    public static final class ConsumerData {
        public String groupName;
        public String consumeType;
        public String messageModel;
        public String consumeFromWhere;
        public Set<SubscriptionData> subscriptionDataSet = new LinkedHashSet<>();
        public boolean unitMode;

        /** What is wrong with this group's entry, phrased to follow "consumerDataSet[i] ...", or null. */
        String problem() {
            if (groupName == null || groupName.isBlank()) {
                return "has no groupName";
            }
            String bad = TopicNames.validateGroup(groupName);
            if (bad != null) {
                return "has an invalid groupName: " + bad;
            }
            bad = notOneOf("consumeType", consumeType, CONSUME_TYPES);
            bad = bad != null ? bad : notOneOf("messageModel", messageModel, MESSAGE_MODELS);
            bad = bad != null ? bad : notOneOf("consumeFromWhere", consumeFromWhere, CONSUME_FROM_WHERE);
            if (bad != null) {
                return bad;
            }
            if (subscriptionDataSet == null) {
                return "has a null subscriptionDataSet (send [] for no subscriptions)";
            }
            int i = 0;
            for (SubscriptionData s : subscriptionDataSet) {
                String problem = s == null ? "is null" : s.shapeProblem();
                if (problem != null) {
                    return "has subscriptionDataSet[" + i + "] that " + problem;
                }
                i++;
            }
            return null;
        }
    }

    /**
     * What makes this heartbeat unusable, as a sentence for the client, or null when every part the broker
     * reads is present and well formed: a clientID, both group sets without null entries, a valid name for
     * every group ({@link TopicNames#validateGroup}), known consume type, message model and consume-from names
     * (absent ones are tolerated: official brokers read them as null too), and subscriptions of the right shape
     * ({@link SubscriptionData#shapeProblem()}).
     * Subscription expressions are checked apart ({@link SubscriptionData#expressionProblem()}), since a bad
     * expression has its own response code.
     */
    public String problem() {
        if (clientID == null || clientID.isEmpty()) {
            return "the heartbeat has no clientID";
        }
        if (producerDataSet == null) {
            return "the heartbeat's producerDataSet is null (send [] for a client without producers)";
        }
        if (consumerDataSet == null) {
            return "the heartbeat's consumerDataSet is null (send [] for a client without consumers)";
        }
        int i = 0;
        for (ProducerData p : producerDataSet) {
            if (p == null) {
                return "producerDataSet[" + i + "] of the heartbeat is null";
            }
            if (p.groupName == null || p.groupName.isBlank()) {
                return "producerDataSet[" + i + "] of the heartbeat has no groupName";
            }
            String bad = TopicNames.validateGroup(p.groupName);
            if (bad != null) {
                return "producerDataSet[" + i + "] of the heartbeat has an invalid groupName: " + bad;
            }
            i++;
        }
        i = 0;
        for (ConsumerData c : consumerDataSet) {
            String problem = c == null ? "is null" : c.problem();
            if (problem != null) {
                String group = c == null || TopicNames.validateGroup(c.groupName) != null ? "" : " (group " + c.groupName + ")";
                return "consumerDataSet[" + i + "]" + group + " of the heartbeat " + problem;
            }
            i++;
        }
        return null;
    }

    private static String notOneOf(String field, String value, Set<String> allowed) {
        return value == null || allowed.contains(value) ? null
            : "has " + field + " '" + value + "', which is not one of " + new TreeSet<>(allowed);
    }
}
