package io.quiver.acl;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionData;
import io.quiver.protocol.message.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a remoting request needs of an account: an admin account, or permissions on topics and groups. Sends need PUB
 * on the topic (a retry topic: SUB on its group); pulls, pops, offsets, heartbeats and locks SUB on the topic and the
 * group (a group is named by its retry topic, {@code %RETRY%group}); topic, group, configuration, offset-reset and ACL
 * administration an admin account. Any other request needs only a valid signature.
 *
 * @param resources topics, and groups as retry topics
 */
public record Needs(boolean admin, List<Need> resources) {
    public record Need(String resource, int perm) {}

    static final Needs SIGNATURE_ONLY = new Needs(false, List.of());
    static final Needs ADMIN = new Needs(true, List.of());

    /** Codes that change topics, groups, offsets, settings or the ACL itself. */
    static final Set<Integer> ADMIN_CODES = Set.of(RequestCode.UPDATE_AND_CREATE_TOPIC, RequestCode.UPDATE_BROKER_CONFIG,
        RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, RequestCode.DELETE_SUBSCRIPTIONGROUP,
        RequestCode.DELETE_TOPIC_IN_BROKER, RequestCode.DELETE_TOPIC_IN_NAMESRV, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
        RequestCode.RESET_CONSUMER_CLIENT_OFFSET, RequestCode.PUT_KV_CONFIG, RequestCode.DELETE_KV_CONFIG,
        RequestCode.QUIVER_DLQ_REDRIVE, RequestCode.QUIVER_DRAIN, RequestCode.QUIVER_QUERY_TRACE,
        RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE, RequestCode.DELETE_EXPIRED_COMMITLOG, RequestCode.CLEAN_UNUSED_TOPIC,
        RequestCode.UPDATE_AND_CREATE_ACL_CONFIG, RequestCode.DELETE_ACL_CONFIG, RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG,
        // a name server's: what brokers send about themselves (they sign with innerClientAuthenticationCredentials)
        RequestCode.REGISTER_BROKER, RequestCode.UNREGISTER_BROKER, RequestCode.QUERY_DATA_VERSION,
        // a controller's: what changes a group's master or its in-sync set
        RequestCode.CONTROLLER_REGISTER_BROKER, RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET,
        RequestCode.CONTROLLER_ELECT_MASTER, RequestCode.BROKER_HEARTBEAT);

    /** The needs of {@code req}; a body that cannot be read needs what it would need with nothing in it. */
    public static Needs of(RemotingCommand req) {
        int code = req.code();
        if (ADMIN_CODES.contains(code)) {
            return ADMIN;
        }
        List<Need> out = new ArrayList<>();
        switch (code) {
            case RequestCode.SEND_MESSAGE -> send(out, req.ext("topic"));
            case RequestCode.SEND_MESSAGE_V2, RequestCode.SEND_BATCH_MESSAGE -> send(out, req.ext("b"));
            case RequestCode.CONSUMER_SEND_MSG_BACK -> group(out, req.ext("group"));
            case RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE, RequestCode.QUERY_CONSUMER_OFFSET,
                 RequestCode.UPDATE_CONSUMER_OFFSET, RequestCode.POP_MESSAGE, RequestCode.ACK_MESSAGE,
                 RequestCode.BATCH_ACK_MESSAGE, RequestCode.CHANGE_MESSAGE_INVISIBLETIME, RequestCode.PEEK_MESSAGE,
                 RequestCode.NOTIFICATION -> {
                topic(out, req.ext("topic"), Perm.SUB);
                group(out, req.ext("consumerGroup"));
            }
            case RequestCode.QUERY_MESSAGE -> topic(out, req.ext("topic"), Perm.SUB);
            case RequestCode.GET_CONSUMER_LIST_BY_GROUP, RequestCode.UNREGISTER_CLIENT -> group(out, req.ext("consumerGroup"));
            case RequestCode.HEART_BEAT -> heartbeat(out, req.body());
            case RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ -> lock(out, req.body());
            default -> {
                return SIGNATURE_ONLY;
            }
        }
        return new Needs(false, out);
    }

    /** PUB on the topic; {@link #topic} turns a retry topic into SUB on its group (a consumer sending back). */
    private static void send(List<Need> out, String topic) {
        topic(out, topic, Perm.PUB);
    }

    private static void topic(List<Need> out, String topic, int perm) {
        if (topic != null && !topic.isEmpty()) {
            out.add(new Need(topic, TopicNames.isRetry(topic) ? Perm.SUB : perm));
        }
    }

    private static void group(List<Need> out, String group) {
        if (group != null && !group.isEmpty()) {
            out.add(new Need(TopicNames.retryTopic(group), Perm.SUB));
        }
    }

    private static void heartbeat(List<Need> out, byte[] body) {
        HeartbeatData hb;
        try {
            hb = body == null || body.length == 0 ? null : Json.decode(body, HeartbeatData.class);
        } catch (RuntimeException e) {
            return; // the broker refuses the body itself
        }
        if (hb == null || hb.consumerDataSet == null) {
            return;
        }
        for (HeartbeatData.ConsumerData c : hb.consumerDataSet) {
            group(out, c.groupName);
            if (c.subscriptionDataSet != null) {
                for (SubscriptionData s : c.subscriptionDataSet) {
                    topic(out, s.topic, Perm.SUB);
                }
            }
        }
    }

    private static void lock(List<Need> out, byte[] body) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = body == null ? null : Json.mapper().readTree(body);
            if (n != null && n.hasNonNull("consumerGroup")) {
                group(out, n.get("consumerGroup").asText());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the broker refuses the body itself
        }
    }
}
