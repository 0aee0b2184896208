package io.quiver.protocol;

/** Request codes of the RocketMQ remoting protocol that Quiver sends or answers (fact sheet §2.2). */
public final class RequestCode {
    private RequestCode() {}

    public static final int SEND_MESSAGE = 10;
    public static final int PULL_MESSAGE = 11;
    public static final int QUERY_MESSAGE = 12;
    public static final int QUERY_CONSUMER_OFFSET = 14;
    public static final int UPDATE_CONSUMER_OFFSET = 15;
    /** A broker's whole consumer-offset table (replicas follow their master with it). */
    public static final int GET_ALL_CONSUMER_OFFSET = 43;
    /** A broker's replication state (RocketMQ 5.x, mqadmin {@code haStatus}). */
    public static final int GET_BROKER_HA_STATUS = 907;
    public static final int UPDATE_AND_CREATE_TOPIC = 17;
    public static final int GET_ALL_TOPIC_CONFIG = 21;
    public static final int UPDATE_BROKER_CONFIG = 25;
    public static final int GET_BROKER_CONFIG = 26;
    public static final int GET_BROKER_RUNTIME_INFO = 28;
    public static final int SEARCH_OFFSET_BY_TIMESTAMP = 29;
    public static final int GET_MAX_OFFSET = 30;
    public static final int GET_MIN_OFFSET = 31;
    public static final int GET_EARLIEST_MSG_STORETIME = 32;
    public static final int VIEW_MESSAGE_BY_ID = 33;
    public static final int HEART_BEAT = 34;
    public static final int UNREGISTER_CLIENT = 35;
    public static final int CONSUMER_SEND_MSG_BACK = 36;
    public static final int END_TRANSACTION = 37;
    public static final int GET_CONSUMER_LIST_BY_GROUP = 38;
    public static final int CHECK_TRANSACTION_STATE = 39;
    public static final int NOTIFY_CONSUMER_IDS_CHANGED = 40;
    public static final int LOCK_BATCH_MQ = 41;
    public static final int UNLOCK_BATCH_MQ = 42;
    public static final int CHECK_CLIENT_CONFIG = 46;
    /** ACL 1.0 administration (mqadmin updateAclConfig, deleteAclConfig, clusterAclConfigVersion, ...). */
    public static final int UPDATE_AND_CREATE_ACL_CONFIG = 50;
    public static final int DELETE_ACL_CONFIG = 51;
    public static final int GET_BROKER_CLUSTER_ACL_INFO = 52;
    public static final int UPDATE_GLOBAL_WHITE_ADDRS_CONFIG = 53;
    public static final int GET_BROKER_CLUSTER_ACL_CONFIG = 54;
    public static final int PUT_KV_CONFIG = 100;
    public static final int GET_KV_CONFIG = 101;
    public static final int DELETE_KV_CONFIG = 102;
    public static final int REGISTER_BROKER = 103;
    public static final int UNREGISTER_BROKER = 104;
    public static final int GET_ROUTEINFO_BY_TOPIC = 105;
    public static final int GET_BROKER_CLUSTER_INFO = 106;
    public static final int UPDATE_AND_CREATE_SUBSCRIPTIONGROUP = 200;
    public static final int GET_ALL_SUBSCRIPTIONGROUP_CONFIG = 201;
    public static final int GET_TOPIC_STATS_INFO = 202;
    public static final int GET_CONSUMER_CONNECTION_LIST = 203;
    public static final int GET_PRODUCER_CONNECTION_LIST = 204;
    public static final int WIPE_WRITE_PERM_OF_BROKER = 205;
    public static final int GET_ALL_TOPIC_LIST_FROM_NAMESERVER = 206;
    public static final int DELETE_SUBSCRIPTIONGROUP = 207;
    public static final int GET_CONSUME_STATS = 208;
    public static final int DELETE_TOPIC_IN_BROKER = 215;
    public static final int DELETE_TOPIC_IN_NAMESRV = 216;
    public static final int GET_KVLIST_BY_NAMESPACE = 219;
    public static final int RESET_CONSUMER_CLIENT_OFFSET = 220;
    public static final int GET_CONSUMER_STATUS_FROM_CLIENT = 221;
    public static final int INVOKE_BROKER_TO_RESET_OFFSET = 222;
    public static final int INVOKE_BROKER_TO_GET_CONSUMER_STATUS = 223;
    public static final int GET_TOPICS_BY_CLUSTER = 224;
    public static final int QUERY_TOPIC_CONSUME_BY_WHO = 300;
    public static final int GET_CONSUMER_RUNNING_INFO = 307;
    /** Relayed to one consumer: consume this stored message now (mqadmin queryMsgById -g -d). */
    public static final int CONSUME_MESSAGE_DIRECTLY = 309;
    public static final int SEND_MESSAGE_V2 = 310;
    public static final int SEND_BATCH_MESSAGE = 320;
    public static final int QUERY_DATA_VERSION = 322;
    public static final int ADD_WRITE_PERM_OF_BROKER = 327;
    public static final int GET_TOPIC_CONFIG = 351;
    /** mqadmin exportMetadata / exportMetrics: the topics the broker counts as its own. */
    public static final int GET_SYSTEM_TOPIC_LIST_FROM_BROKER = 305;
    /** mqadmin brokerConsumeStats: every group's offsets and lag on one broker. */
    public static final int GET_BROKER_CONSUME_STATS = 317;
    /** mqadmin updateNamesrvConfig / getNamesrvConfig (name server; 318 updates, 319 reads). */
    public static final int UPDATE_NAMESRV_CONFIG = 318;
    public static final int GET_NAMESRV_CONFIG = 319;
    /** mqadmin producer: every online producer of a broker. */
    public static final int GET_ALL_PRODUCER_INFO = 328;
    /** DefaultMQAdminExt.cloneGroupOffset: one group's offsets copied to another. */
    public static final int CLONE_GROUP_OFFSET = 314;
    /** RocketMQ 5 admin API: the topics a group has offsets on, and one group's settings. */
    public static final int QUERY_TOPICS_BY_CONSUMER = 343;
    public static final int QUERY_SUBSCRIPTION_BY_CONSUMER = 345;
    public static final int VIEW_BROKER_STATS_DATA = 315;
    public static final int CLEAN_EXPIRED_CONSUMEQUEUE = 306;
    public static final int CLEAN_UNUSED_TOPIC = 316;
    public static final int QUERY_CONSUME_QUEUE = 321;
    public static final int DELETE_EXPIRED_COMMITLOG = 329;
    public static final int GET_SUBSCRIPTIONGROUP_CONFIG = 352;
    public static final int LITE_PULL_MESSAGE = 361;
    /** POP consumption (RocketMQ 5): take messages that stay invisible until acknowledged. */
    public static final int POP_MESSAGE = 200_050;
    public static final int ACK_MESSAGE = 200_051;
    public static final int PEEK_MESSAGE = 200_052;
    public static final int CHANGE_MESSAGE_INVISIBLETIME = 200_053;
    public static final int NOTIFICATION = 200_054;
    public static final int POLLING_INFO = 200_055;
    public static final int BATCH_ACK_MESSAGE = 200_151;
    /** 5.x consumers with setClientRebalance(false): the broker assigns their queues. */
    public static final int QUERY_ASSIGNMENT = 400;
    /** mqadmin setConsumeMode: PULL or POP for a topic and group. */
    public static final int SET_MESSAGE_REQUEST_MODE = 401;
    public static final int GET_ALL_MESSAGE_REQUEST_MODE = 402;
    /** Controller mode (RocketMQ 5 codes): a broker's heartbeat to every controller. */
    public static final int BROKER_HEARTBEAT = 904;
    /** Controller mode: a master reports the replicas that hold everything it acknowledged. */
    public static final int CONTROLLER_ALTER_SYNC_STATE_SET = 1001;
    /** Controller mode: an operator asks for an election in a broker group. */
    public static final int CONTROLLER_ELECT_MASTER = 1002;
    /** Controller mode: a broker joins its group and is given its brokerId. */
    public static final int CONTROLLER_REGISTER_BROKER = 1003;
    /** Controller mode: a group's master, epoch, in-sync set and replicas. */
    public static final int CONTROLLER_GET_REPLICA_INFO = 1004;
    /** Controller mode: the controllers' Raft group (mqadmin getControllerMetaData). */
    public static final int CONTROLLER_GET_METADATA_INFO = 1005;
    /** Controller mode: the in-sync sets of the named groups (mqadmin getSyncStateSet). */
    public static final int CONTROLLER_GET_SYNC_STATE_DATA = 1006;
    /** Quiver only: pending transactional half messages of a broker (used by {@code quiver tx list}). */
    public static final int QUIVER_LIST_PENDING_TRANSACTIONS = 19_001;
    /** Quiver only: move a group's dead letters back to its retry topic (used by {@code quiver dlq redrive}). */
    public static final int QUIVER_DLQ_REDRIVE = 19_002;
    /** Quiver: take the broker out of service without failing a send, then stop it (quiver broker drain). */
    public static final int QUIVER_DRAIN = 19_003;
    /** Quiver: what happened to a message, from the broker's trace store and the clients' trace (quiver message trace). */
    public static final int QUIVER_QUERY_TRACE = 19_004;
}
