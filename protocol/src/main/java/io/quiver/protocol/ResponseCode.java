package io.quiver.protocol;

/** Response codes the official clients understand (fact sheet §2.1). */
public final class ResponseCode {
    private ResponseCode() {}

    public static final int SUCCESS = 0;
    public static final int SYSTEM_ERROR = 1;
    public static final int SYSTEM_BUSY = 2;
    public static final int REQUEST_CODE_NOT_SUPPORTED = 3;
    public static final int TRANSACTION_FAILED = 4;
    public static final int FLUSH_DISK_TIMEOUT = 10;
    public static final int SLAVE_NOT_AVAILABLE = 11;
    public static final int FLUSH_SLAVE_TIMEOUT = 12;
    public static final int MESSAGE_ILLEGAL = 13;
    public static final int SERVICE_NOT_AVAILABLE = 14;
    public static final int VERSION_NOT_SUPPORTED = 15;
    public static final int NO_PERMISSION = 16;
    public static final int TOPIC_NOT_EXIST = 17;
    public static final int TOPIC_EXIST_ALREADY = 18;
    public static final int PULL_NOT_FOUND = 19;
    public static final int PULL_RETRY_IMMEDIATELY = 20;
    public static final int PULL_OFFSET_MOVED = 21;
    public static final int QUERY_NOT_FOUND = 22;
    public static final int SUBSCRIPTION_PARSE_FAILED = 23;
    public static final int SUBSCRIPTION_NOT_EXIST = 24;
    public static final int SUBSCRIPTION_NOT_LATEST = 25;
    public static final int SUBSCRIPTION_GROUP_NOT_EXIST = 26;
    public static final int INVALID_PARAMETER = 29;
    public static final int CONSUMER_NOT_ONLINE = 206;
    public static final int FLOW_CONTROL = 215;
    /** Controller: the request names a master epoch that is no longer current. */
    public static final int CONTROLLER_FENCED_MASTER_EPOCH = 2000;
    /** Controller: the request is about a broker group or broker the controller does not know. */
    public static final int CONTROLLER_INVALID_REQUEST = 2005;
    /** Controller: the controllers did not decide (no quorum reachable, or they are stopping). */
    public static final int CONTROLLER_NOT_LEADER = 2007;
    /** Controller: no master could be elected. */
    public static final int CONTROLLER_ELECT_MASTER_FAILED = 2012;
    /** Controller: the in-sync set change was refused. */
    public static final int CONTROLLER_ALTER_SYNC_STATE_SET_FAILED = 2013;
    /** POP: too many pops are waiting for messages. */
    public static final int POLLING_FULL = 209;
    /** POP: nothing to pop within the poll time. */
    public static final int POLLING_TIMEOUT = 210;
    /** POP: the acknowledged or changed message is not under that receipt. */
    public static final int NO_MESSAGE = 208;
}
