package io.quiver.protocol.header;

import io.quiver.protocol.RemotingCommand;
import java.util.List;
import java.util.Map;

/**
 * The small request headers, each a record with a {@code decode} that names any missing field.
 * Field names are the official ones (fact sheet §3–§9).
 */
public final class RequestHeaders {
    private RequestHeaders() {}

    /** GET_MAX_OFFSET, GET_MIN_OFFSET, GET_EARLIEST_MSG_STORETIME. */
    public record TopicQueue(String topic, int queueId) {
        public static TopicQueue decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new TopicQueue(r.string("topic"), r.int32("queueId"));
        }
    }

    /** SEARCH_OFFSET_BY_TIMESTAMP; {@code boundaryType} is 5.x only ("lower"/"upper"), null when absent. */
    public record SearchOffset(String topic, int queueId, long timestamp, String boundaryType) {
        public static SearchOffset decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new SearchOffset(r.string("topic"), r.int32("queueId"), r.int64("timestamp"),
                r.optString("boundaryType"));
        }
    }

    /** QUERY_CONSUMER_OFFSET; {@code setZeroIfNotFound} is 5.x only, null when absent. */
    public record QueryConsumerOffset(String consumerGroup, String topic, int queueId, Boolean setZeroIfNotFound) {
        public static QueryConsumerOffset decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new QueryConsumerOffset(r.string("consumerGroup"), r.string("topic"), r.int32("queueId"),
                r.optBool("setZeroIfNotFound"));
        }
    }

    /** UPDATE_CONSUMER_OFFSET. */
    public record UpdateConsumerOffset(String consumerGroup, String topic, int queueId, long commitOffset) {
        public static UpdateConsumerOffset decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new UpdateConsumerOffset(r.string("consumerGroup"), r.string("topic"), r.int32("queueId"),
                r.int64("commitOffset"));
        }

        public void encode(RemotingCommand cmd) {
            cmd.putExt("consumerGroup", consumerGroup).putExt("topic", topic).putExt("queueId", queueId)
                .putExt("commitOffset", commitOffset);
        }
    }

    /** UNREGISTER_CLIENT. */
    public record UnregisterClient(String clientId, String producerGroup, String consumerGroup) {
        public static UnregisterClient decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new UnregisterClient(r.string("clientID"), r.optString("producerGroup"), r.optString("consumerGroup"));
        }
    }

    /** GET_CONSUMER_LIST_BY_GROUP and NOTIFY_CONSUMER_IDS_CHANGED. */
    public record ConsumerGroup(String consumerGroup) {
        public static ConsumerGroup decode(RemotingCommand cmd) {
            return new ConsumerGroup(new HeaderReader(cmd).string("consumerGroup"));
        }
    }

    /** GET_ROUTEINFO_BY_TOPIC, GET_TOPIC_CONFIG-like lookups, DELETE_TOPIC_IN_BROKER. */
    public record Topic(String topic) {
        public static Topic decode(RemotingCommand cmd) {
            return new Topic(new HeaderReader(cmd).string("topic"));
        }
    }

    /** UPDATE_AND_CREATE_TOPIC, fact sheet §9.4. */
    public record CreateTopic(String topic, String defaultTopic, int readQueueNums, int writeQueueNums, int perm,
                              String topicFilterType, int topicSysFlag, boolean order, String attributes) {
        public static CreateTopic decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new CreateTopic(r.string("topic"), r.optString("defaultTopic"), r.int32("readQueueNums"),
                r.int32("writeQueueNums"), r.int32("perm"), r.optString("topicFilterType"),
                r.optInt32("topicSysFlag", 0), r.optBool("order", false), r.optString("attributes"));
        }

        public void encode(RemotingCommand cmd) {
            cmd.putExt("topic", topic).putExt("defaultTopic", defaultTopic).putExt("readQueueNums", readQueueNums)
                .putExt("writeQueueNums", writeQueueNums).putExt("perm", perm).putExt("topicFilterType", topicFilterType)
                .putExt("topicSysFlag", topicSysFlag).putExt("order", order).putExt("attributes", attributes);
        }
    }

    /**
     * REGISTER_BROKER, fact sheet §3.2. {@code masterEpoch} is Quiver's addition ({@code quiverMasterEpoch}, ignored
     * by other name servers): a controller-mode master states the epoch it was elected in, and a Quiver name server
     * refuses a master registration of an older epoch than one it already has for the group.
     */
    public record RegisterBroker(String brokerName, String brokerAddr, String clusterName, String haServerAddr,
                                 long brokerId, boolean compressed, int bodyCrc32, Long heartbeatTimeoutMillis,
                                 Long masterEpoch, String grpcAddr) {
        public RegisterBroker(String brokerName, String brokerAddr, String clusterName, String haServerAddr,
                              long brokerId, boolean compressed, int bodyCrc32, Long heartbeatTimeoutMillis) {
            this(brokerName, brokerAddr, clusterName, haServerAddr, brokerId, compressed, bodyCrc32, heartbeatTimeoutMillis,
                null, null);
        }

        public RegisterBroker(String brokerName, String brokerAddr, String clusterName, String haServerAddr,
                              long brokerId, boolean compressed, int bodyCrc32, Long heartbeatTimeoutMillis,
                              Long masterEpoch) {
            this(brokerName, brokerAddr, clusterName, haServerAddr, brokerId, compressed, bodyCrc32, heartbeatTimeoutMillis,
                masterEpoch, null);
        }

        public static RegisterBroker decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            String ha = r.optString("haServerAddr");
            return new RegisterBroker(r.string("brokerName"), r.string("brokerAddr"), r.string("clusterName"),
                ha == null ? "" : ha, r.int64("brokerId"), r.optBool("compressed", false), r.optInt32("bodyCrc32", 0),
                r.optString("heartbeatTimeoutMillis") == null ? null : r.int64("heartbeatTimeoutMillis"),
                r.optString("quiverMasterEpoch") == null ? null : r.int64("quiverMasterEpoch"),
                r.optString("quiverGrpcAddr"));
        }

        public void encode(RemotingCommand cmd) {
            cmd.putExt("brokerName", brokerName).putExt("brokerAddr", brokerAddr).putExt("clusterName", clusterName)
                .putExt("haServerAddr", haServerAddr).putExt("brokerId", brokerId).putExt("compressed", compressed)
                .putExt("bodyCrc32", bodyCrc32).putExt("heartbeatTimeoutMillis", heartbeatTimeoutMillis)
                .putExt("quiverMasterEpoch", masterEpoch).putExt("quiverGrpcAddr", grpcAddr);
        }
    }

    /**
     * Quiver's extension of GET_ROUTEINFO_BY_TOPIC for brokers' gRPC endpoints: a request that sets {@link #ASK} is
     * answered with the gRPC address ("host:port") of every broker of the route that registered one, in the response
     * field {@link #FIELD} as {@code brokerAddr=grpcAddr} pairs joined by ';'. Official clients neither ask nor read it.
     */
    public static final class GrpcAddresses {
        public static final String ASK = "quiverGrpc";
        public static final String FIELD = "quiverGrpcAddrs";

        private GrpcAddresses() {}

        public static String encode(Map<String, String> byBrokerAddr) {
            StringBuilder b = new StringBuilder();
            byBrokerAddr.forEach((broker, grpc) -> {
                if (b.length() > 0) {
                    b.append(';');
                }
                b.append(broker).append('=').append(grpc);
            });
            return b.toString();
        }

        /** The pairs of {@code field}; malformed pairs are skipped (an older name server answers nothing). */
        public static Map<String, String> decode(String field) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            if (field == null || field.isEmpty()) {
                return out;
            }
            for (String pair : field.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && eq < pair.length() - 1) {
                    out.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            return out;
        }
    }

    /** UNREGISTER_BROKER, fact sheet §3.2. */
    public record UnregisterBroker(String brokerName, String brokerAddr, String clusterName, long brokerId) {
        public static UnregisterBroker decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new UnregisterBroker(r.string("brokerName"), r.string("brokerAddr"), r.string("clusterName"),
                r.int64("brokerId"));
        }

        public void encode(RemotingCommand cmd) {
            cmd.putExt("brokerName", brokerName).putExt("brokerAddr", brokerAddr).putExt("clusterName", clusterName)
                .putExt("brokerId", brokerId);
        }
    }

    /** GET_KV_CONFIG, PUT_KV_CONFIG, DELETE_KV_CONFIG (value only for PUT). */
    public record KvConfig(String namespace, String key, String value) {
        public static KvConfig decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new KvConfig(r.string("namespace"), r.string("key"), r.optString("value"));
        }
    }

    /** VIEW_MESSAGE_BY_ID. */
    public record ViewMessageById(long offset) {
        public static ViewMessageById decode(RemotingCommand cmd) {
            return new ViewMessageById(new HeaderReader(cmd).int64("offset"));
        }
    }

    /** WIPE_WRITE_PERM_OF_BROKER and ADD_WRITE_PERM_OF_BROKER. */
    public record BrokerName(String brokerName) {
        public static BrokerName decode(RemotingCommand cmd) {
            return new BrokerName(new HeaderReader(cmd).string("brokerName"));
        }
    }

    /** END_TRANSACTION (fact sheet §7.1): the producer's commit (8), rollback (12) or unknown (0). */
    public record EndTransaction(String producerGroup, long tranStateTableOffset, long commitLogOffset,
                                 int commitOrRollback, boolean fromTransactionCheck, String msgId, String transactionId) {
        public static final int COMMIT = 8;
        public static final int ROLLBACK = 12;
        public static final int UNKNOWN = 0;

        public static EndTransaction decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new EndTransaction(r.string("producerGroup"), r.int64("tranStateTableOffset"),
                r.int64("commitLogOffset"), r.int32("commitOrRollback"), r.optBool("fromTransactionCheck", false),
                r.optString("msgId"), r.optString("transactionId"));
        }

        public void encode(RemotingCommand cmd) {
            cmd.putExt("producerGroup", producerGroup).putExt("tranStateTableOffset", tranStateTableOffset)
                .putExt("commitLogOffset", commitLogOffset).putExt("commitOrRollback", commitOrRollback)
                .putExt("fromTransactionCheck", fromTransactionCheck).putExt("msgId", msgId)
                .putExt("transactionId", transactionId);
        }
    }

    /** CHECK_TRANSACTION_STATE (fact sheet §7.3), broker to producer. */
    public record CheckTransactionState(long tranStateTableOffset, long commitLogOffset, String msgId,
                                        String transactionId, String offsetMsgId) {
        public void encode(RemotingCommand cmd) {
            cmd.putExt("tranStateTableOffset", tranStateTableOffset).putExt("commitLogOffset", commitLogOffset)
                .putExt("msgId", msgId).putExt("transactionId", transactionId).putExt("offsetMsgId", offsetMsgId)
                .putExt("topic", io.quiver.protocol.message.TopicNames.TRANS_HALF_TOPIC);
        }
    }

    /** GET_TOPICS_BY_CLUSTER. */
    public record Cluster(String cluster) {
        public static Cluster decode(RemotingCommand cmd) {
            return new Cluster(new HeaderReader(cmd).string("cluster"));
        }
    }

    /** DELETE_TOPIC_IN_NAMESRV: the cluster is optional. */
    public record DeleteTopicInNamesrv(String topic, String clusterName) {
        public static DeleteTopicInNamesrv decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new DeleteTopicInNamesrv(r.string("topic"), r.optString("clusterName"));
        }
    }

    /** INVOKE_BROKER_TO_RESET_OFFSET; {@code isForce} defaults to true. */
    public record ResetOffset(String topic, String group, long timestamp, boolean isForce) {
        public static ResetOffset decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new ResetOffset(r.string("topic"), r.string("group"), r.int64("timestamp"), r.optBool("isForce", true));
        }
    }

    /** INVOKE_BROKER_TO_GET_CONSUMER_STATUS; {@code clientAddr} null for every client of the group. */
    public record ConsumerStatus(String topic, String group, String clientAddr) {
        public static ConsumerStatus decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new ConsumerStatus(r.string("topic"), r.string("group"), r.optString("clientAddr"));
        }
    }

    /** QUERY_MESSAGE; {@code uniqueKey} is the ext field {@code _UNIQUE_KEY_QUERY}. */
    public record QueryMessage(String topic, String key, int maxNum, long beginTimestamp, long endTimestamp,
                               boolean uniqueKey) {
        public static QueryMessage decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new QueryMessage(r.string("topic"), r.string("key"), r.int32("maxNum"), r.int64("beginTimestamp"),
                r.int64("endTimestamp"), r.optBool("_UNIQUE_KEY_QUERY", false));
        }
    }

    /** CONSUMER_SEND_MSG_BACK; {@code maxReconsumeTimes} null when the client sent none. */
    public record ConsumerSendMsgBack(long offset, String group, int delayLevel, String originMsgId,
                                      Integer maxReconsumeTimes) {
        public static ConsumerSendMsgBack decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new ConsumerSendMsgBack(r.int64("offset"), r.string("group"), r.int32("delayLevel"),
                r.optString("originMsgId"), r.optInt32("maxReconsumeTimes"));
        }
    }

    /** GET_CONSUME_STATS; {@code topic} null for every topic of the group. */
    public record ConsumeStats(String consumerGroup, String topic) {
        public static ConsumeStats decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new ConsumeStats(r.string("consumerGroup"), r.optString("topic"));
        }
    }

    /** QUIVER_DLQ_REDRIVE: {@code since} -1 for all, {@code limit} null for the broker's default. */
    public record DlqRedrive(String group, long since, Integer limit) {
        public static DlqRedrive decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new DlqRedrive(r.string("group"), r.optInt64("since", -1), r.optInt32("limit"));
        }
    }

    /** QUERY_CONSUME_QUEUE (mqadmin queryCq): {@code count} entries of a queue from {@code index}. */
    public record ConsumeQueueRange(String topic, int queueId, long index, int count, String consumerGroup) {
        public static ConsumeQueueRange decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new ConsumeQueueRange(r.string("topic"), r.int32("queueId"), r.int64("index"), r.int32("count"),
                r.optString("consumerGroup"));
        }
    }

    /** VIEW_BROKER_STATS_DATA: one statistics item by name and key. */
    public record StatsItem(String statsName, String statsKey) {
        public static StatsItem decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new StatsItem(r.string("statsName"), r.string("statsKey"));
        }
    }

    /** QUERY_SUBSCRIPTION_BY_CONSUMER: a group's subscription, of one topic when given. */
    public record SubscriptionOf(String group, String topic) {
        public static SubscriptionOf decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new SubscriptionOf(r.string("group"), r.optString("topic"));
        }
    }

    /** QUIVER_QUERY_TRACE: a message's unique id, offset id or key, within [begin, end] (ms; default: all). */
    public record TraceQuery(String id, long begin, long end) {
        public static TraceQuery decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new TraceQuery(r.string("id"), r.optInt64("begin", 0), r.optInt64("end", Long.MAX_VALUE));
        }
    }

    /** DELETE_SUBSCRIPTIONGROUP; offsets go too with {@code removeOffset} (5.x) or {@code cleanOffset}. */
    public record DeleteGroup(String groupName, boolean removeOffsets) {
        public static DeleteGroup decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            return new DeleteGroup(r.string("groupName"), r.optBool("removeOffset", false) || r.optBool("cleanOffset", false));
        }
    }

    /** GET_PRODUCER_CONNECTION_LIST. */
    public record ProducerGroup(String producerGroup) {
        public static ProducerGroup decode(RemotingCommand cmd) {
            return new ProducerGroup(new HeaderReader(cmd).string("producerGroup"));
        }
    }

    /** QUIVER_LIST_PENDING_TRANSACTIONS; {@code limit} defaults to 1 000. */
    public record ListPending(int limit) {
        public static ListPending decode(RemotingCommand cmd) {
            return new ListPending(new HeaderReader(cmd).optInt32("limit", 1_000));
        }
    }

    /** QUERY_DATA_VERSION (name server). */
    public record BrokerAddr(String brokerAddr) {
        public static BrokerAddr decode(RemotingCommand cmd) {
            return new BrokerAddr(new HeaderReader(cmd).string("brokerAddr"));
        }
    }

    /** GET_KVLIST_BY_NAMESPACE (name server). */
    public record Namespace(String namespace) {
        public static Namespace decode(RemotingCommand cmd) {
            return new Namespace(new HeaderReader(cmd).string("namespace"));
        }
    }

    /**
     * UPDATE_AND_CREATE_ACL_CONFIG (50): an account to create or change. Fields absent (null) are left as they are on
     * an existing account; lists arrive joined with commas.
     */
    public record AclAccountEdit(String accessKey, String secretKey, String whiteRemoteAddress, Boolean admin,
                                 String defaultTopicPerm, String defaultGroupPerm, List<String> topicPerms,
                                 List<String> groupPerms) {
        public static AclAccountEdit decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            String admin = r.optString("admin");
            return new AclAccountEdit(r.string("accessKey"), r.optString("secretKey"), r.optString("whiteRemoteAddress"),
                admin == null || admin.isBlank() ? null : Boolean.parseBoolean(admin.trim()),
                r.optString("defaultTopicPerm"), r.optString("defaultGroupPerm"), commaList(r.optString("topicPerms")),
                commaList(r.optString("groupPerms")));
        }
    }

    /** DELETE_ACL_CONFIG (51). */
    public record AclAccessKey(String accessKey) {
        public static AclAccessKey decode(RemotingCommand cmd) {
            return new AclAccessKey(new HeaderReader(cmd).string("accessKey"));
        }
    }

    /** UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53): the new global white list; {@code aclFileFullPath} names a file. */
    public record AclGlobalWhiteAddrs(List<String> globalWhiteAddrs, String aclFileFullPath) {
        public static AclGlobalWhiteAddrs decode(RemotingCommand cmd) {
            HeaderReader r = new HeaderReader(cmd);
            List<String> addrs = commaList(r.optString("globalWhiteAddrs"));
            return new AclGlobalWhiteAddrs(addrs == null ? List.of() : addrs, r.optString("aclFileFullPath"));
        }
    }

    /** A comma-joined list as sent by the official admin client; null when the field is absent. */
    static List<String> commaList(String joined) {
        if (joined == null) {
            return null;
        }
        List<String> out = new java.util.ArrayList<>();
        for (String s : joined.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
