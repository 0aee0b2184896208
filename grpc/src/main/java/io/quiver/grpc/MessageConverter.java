package io.quiver.grpc;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.DeadLetterQueue;
import apache.rocketmq.v2.Digest;
import apache.rocketmq.v2.DigestType;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Messages between their gRPC form ({@code apache.rocketmq.v2.Message}) and the broker's: the properties a gRPC
 * message's system fields become on the way in, and a stored record's gRPC form on the way out. The same
 * properties as RocketMQ's, so a message sent over one protocol reads the same over the other.
 */
final class MessageConverter {
    static final String SHARDING_KEY = "__SHARDINGKEY";
    static final String TIMER_DELIVER_MS = "TIMER_DELIVER_MS";
    static final String TIMER_DELAY_SEC = "TIMER_DELAY_SEC";
    static final String TRACE_CONTEXT = "TRACE_CONTEXT";
    static final String BORN_HOST = "__BORNHOST";
    static final String DLQ_ORIGIN_TOPIC = "DLQ_ORIGIN_TOPIC";
    static final String DLQ_ORIGIN_MESSAGE_ID = "DLQ_ORIGIN_MESSAGE_ID";
    /** Most user properties one message may carry. */
    static final int MAX_USER_PROPERTIES = 128;
    /** Most bytes of user properties, tag and keys together. */
    static final int MAX_PROPERTY_BYTES = 16 * 1024;
    /** Longest message group. */
    static final int MAX_MESSAGE_GROUP_LENGTH = 64;

    /** Property names the broker and the clients own: a user property may not take one. */
    static final Set<String> SYSTEM_KEYS = Set.of(MessageProperties.TAGS, MessageProperties.KEYS, MessageProperties.WAIT,
        MessageProperties.DELAY, MessageProperties.UNIQ_KEY, MessageProperties.RETRY_TOPIC, MessageProperties.REAL_TOPIC,
        MessageProperties.REAL_QID, MessageProperties.TRAN_MSG, MessageProperties.PGROUP, MessageProperties.ORIGIN_MESSAGE_ID,
        MessageProperties.RECONSUME_TIME, MessageProperties.MAX_RECONSUME_TIMES, MessageProperties.CLUSTER,
        MessageProperties.TRANSACTION_CHECK_TIMES, MessageProperties.CHECK_IMMUNITY_TIME_IN_SECONDS,
        MessageProperties.TRAN_DECISION, MessageProperties.MSG_REGION, MessageProperties.TRACE_ON, "MIN_OFFSET",
        "MAX_OFFSET", "BUYER_ID", "TRANSFER_FLAG", "CORRECTION_FLAG", "MQ2_FLAG", "CONSUME_START_TIME", "POP_CK",
        "POP_CK_OFFSET", "1ST_POP_TIME", "INSTANCE_ID", "CORRELATION_ID", "REPLY_TO_CLIENT", "TTL", "ARRIVE_TIME",
        "MSG_TYPE", "__STARTDELIVERTIME", SHARDING_KEY, TIMER_DELIVER_MS, TIMER_DELAY_SEC, "TIMER_DELAY_MS",
        "TIMER_OUT_MS", "TIMER_ENQUEUE_MS", "TIMER_DEQUEUE_MS", "TIMER_ROLL_TIMES", TRACE_CONTEXT, BORN_HOST,
        DLQ_ORIGIN_TOPIC, DLQ_ORIGIN_MESSAGE_ID, "INNER_MULTI_DISPATCH", "INNER_MULTI_QUEUE_OFFSET", "INNER_NUM");

    private MessageConverter() {}

    /** Why a gRPC message cannot be stored, as a status code and a remark; or null when it can. */
    record Problem(Code code, String remark) {}

    /** Checks what the broker does not: the gRPC system fields and the user properties. */
    static Problem check(Message m, int maxBodyBytes) {
        SystemProperties sp = m.getSystemProperties();
        if (m.getTopic().getName().isBlank()) {
            return new Problem(Code.ILLEGAL_TOPIC, "the message has no topic");
        }
        if (sp.getMessageId().isBlank()) {
            return new Problem(Code.ILLEGAL_MESSAGE_ID, "the message has no message_id");
        }
        if (m.getBody().size() > maxBodyBytes) {
            return new Problem(Code.MESSAGE_BODY_TOO_LARGE, "the body has " + m.getBody().size()
                + " bytes; this broker takes at most " + maxBodyBytes + " (maxMessageSize)");
        }
        int bytes = 0;
        if (sp.hasTag()) {
            String tag = sp.getTag();
            if (tag.isBlank() || tag.contains("|") || hasControl(tag)) {
                return new Problem(Code.ILLEGAL_MESSAGE_TAG, "the tag '" + printable(tag) + "' is blank or holds '|' or a "
                    + "control character");
            }
            bytes += tag.length();
        }
        for (String key : sp.getKeysList()) {
            if (key.isBlank() || hasControl(key)) {
                return new Problem(Code.ILLEGAL_MESSAGE_KEY, "the key '" + printable(key) + "' is blank or holds a control "
                    + "character");
            }
            bytes += key.length();
        }
        if (sp.hasMessageGroup()) {
            String g = sp.getMessageGroup();
            if (g.isBlank() || g.length() >= MAX_MESSAGE_GROUP_LENGTH || hasControl(g)) {
                return new Problem(Code.ILLEGAL_MESSAGE_GROUP, "the message group must be 1 to "
                    + (MAX_MESSAGE_GROUP_LENGTH - 1) + " characters without control characters");
            }
        }
        if (m.getUserPropertiesCount() > MAX_USER_PROPERTIES) {
            return new Problem(Code.MESSAGE_PROPERTIES_TOO_LARGE, "the message has " + m.getUserPropertiesCount()
                + " user properties; at most " + MAX_USER_PROPERTIES + " are allowed");
        }
        for (Map.Entry<String, String> p : m.getUserPropertiesMap().entrySet()) {
            String k = p.getKey();
            if (k.isBlank() || hasControl(k) || SYSTEM_KEYS.contains(k)) {
                return new Problem(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, "the user property key '" + printable(k)
                    + "' is blank, holds a control character or is a system property's name");
            }
            if (hasControl(p.getValue())) {
                return new Problem(Code.ILLEGAL_MESSAGE_PROPERTY_KEY, "the value of user property '" + k
                    + "' holds a control character");
            }
            bytes += k.length() + p.getValue().length();
        }
        if (bytes > MAX_PROPERTY_BYTES) {
            return new Problem(Code.MESSAGE_PROPERTIES_TOO_LARGE, "user properties, tag and keys take " + bytes
                + " characters; at most " + MAX_PROPERTY_BYTES + " are allowed");
        }
        return null;
    }

    /** The broker properties of a gRPC message sent by a producer that publishes as {@code producerGroup}. */
    static Map<String, String> properties(Message m, String producerGroup) {
        SystemProperties sp = m.getSystemProperties();
        Map<String, String> p = new LinkedHashMap<>(m.getUserPropertiesMap());
        if (sp.hasTag()) {
            p.put(MessageProperties.TAGS, sp.getTag());
        }
        if (sp.getKeysCount() > 0) {
            p.put(MessageProperties.KEYS, String.join(" ", sp.getKeysList()));
        }
        p.put(MessageProperties.UNIQ_KEY, sp.getMessageId());
        if (sp.getMessageType() == MessageType.TRANSACTION) {
            p.put(MessageProperties.TRAN_MSG, "true");
            if (sp.hasOrphanedTransactionRecoveryDuration()) {
                p.put(MessageProperties.CHECK_IMMUNITY_TIME_IN_SECONDS,
                    Long.toString(sp.getOrphanedTransactionRecoveryDuration().getSeconds()));
            }
        }
        p.put(MessageProperties.PGROUP, producerGroup);
        if (sp.hasDeliveryTimestamp()) {
            p.put(TIMER_DELIVER_MS, Long.toString(Timestamps.toMillis(sp.getDeliveryTimestamp())));
        }
        if (sp.hasMessageGroup()) {
            p.put(SHARDING_KEY, sp.getMessageGroup());
        }
        if (sp.hasTraceContext()) {
            p.put(TRACE_CONTEXT, sp.getTraceContext());
        }
        if (!sp.getBornHost().isBlank()) {
            p.put(BORN_HOST, sp.getBornHost());
        }
        if (sp.getDeliveryAttempt() > 1) {
            p.put(MessageProperties.RECONSUME_TIME, Integer.toString(sp.getDeliveryAttempt() - 1));
        }
        p.put(MessageProperties.WAIT, "true");
        return p;
    }

    /** The sysFlag of a gRPC message. */
    static int sysFlag(Message m) {
        SystemProperties sp = m.getSystemProperties();
        int flag = sp.getMessageType() == MessageType.TRANSACTION ? MessageSysFlag.TRANSACTION_PREPARED_TYPE : 0;
        return flag;
    }

    /** The body as stored: gzip bodies are unpacked, since the broker's readers expect zlib or plain bodies. */
    static byte[] body(Message m) {
        byte[] b = m.getBody().toByteArray();
        if (m.getSystemProperties().getBodyEncoding() == Encoding.GZIP) {
            try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
                return in.readNBytes(64 * 1024 * 1024);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("the body is marked GZIP but is not gzip data: " + e.getMessage());
            }
        }
        return b;
    }

    /**
     * The gRPC form of a stored message popped for a consumer: {@code topic} is the topic the consumer asked for
     * (a redelivery is stored in the group's POP retry topic), {@code receipt} its receipt handle, or null.
     */
    static Message toGrpc(DecodedMessage d, String topic, String namespace, String receipt) {
        Map<String, String> props = d.propertyMap();
        Map<String, String> user = new HashMap<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            if (!SYSTEM_KEYS.contains(e.getKey())) {
                user.put(e.getKey(), e.getValue());
            }
        }
        byte[] body = plainBody(d);
        SystemProperties.Builder sp = SystemProperties.newBuilder();
        String tag = props.get(MessageProperties.TAGS);
        if (tag != null) {
            sp.setTag(tag);
        }
        String keys = props.get(MessageProperties.KEYS);
        if (keys != null) {
            for (String k : keys.split(" ")) {
                if (!k.isEmpty()) {
                    sp.addKeys(k);
                }
            }
        }
        String uniq = props.get(MessageProperties.UNIQ_KEY);
        sp.setMessageId(uniq != null ? uniq : d.offsetMsgId());
        sp.setBodyDigest(Digest.newBuilder().setType(DigestType.MD5).setChecksum(md5(body)));
        sp.setBodyEncoding(Encoding.IDENTITY);
        sp.setMessageType(typeOf(props));
        sp.setBornTimestamp(Timestamps.fromMillis(d.bornTimestamp));
        String bornHost = props.get(BORN_HOST);
        sp.setBornHost(bornHost != null ? bornHost : hostOf(d.bornHost));
        sp.setStoreTimestamp(Timestamps.fromMillis(d.storeTimestamp));
        sp.setStoreHost(hostOf(d.storeHost) + ":" + d.storePort);
        String deliverAt = props.get(TIMER_DELIVER_MS);
        if (deliverAt != null) {
            try {
                sp.setDeliveryTimestamp(Timestamps.fromMillis(Long.parseLong(deliverAt)));
            } catch (NumberFormatException ignored) {
                // a property some other client wrote: not a time, not shown
            }
        }
        String group = props.get(SHARDING_KEY);
        if (group != null) {
            sp.setMessageGroup(group);
        }
        if (receipt != null) {
            sp.setReceiptHandle(receipt);
        }
        sp.setQueueId(d.queueId);
        sp.setQueueOffset(d.queueOffset);
        sp.setDeliveryAttempt(d.reconsumeTimes + 1);
        String trace = props.get(TRACE_CONTEXT);
        if (trace != null) {
            sp.setTraceContext(trace);
        }
        String dlqTopic = props.get(DLQ_ORIGIN_TOPIC);
        String dlqId = props.get(DLQ_ORIGIN_MESSAGE_ID);
        if (dlqTopic != null && dlqId != null) {
            sp.setDeadLetterQueue(DeadLetterQueue.newBuilder().setTopic(dlqTopic).setMessageId(dlqId));
        }
        return Message.newBuilder()
            .setTopic(Resource.newBuilder().setResourceNamespace(namespace == null ? "" : namespace).setName(topic))
            .putAllUserProperties(user)
            .setSystemProperties(sp)
            .setBody(ByteString.copyFrom(body))
            .build();
    }

    /** The type a stored message reads as, from its properties. */
    static MessageType typeOf(Map<String, String> props) {
        if ("true".equals(props.get(MessageProperties.TRAN_MSG))) {
            return MessageType.TRANSACTION;
        }
        if (props.containsKey(MessageProperties.DELAY) || props.containsKey(TIMER_DELIVER_MS)
            || props.containsKey(TIMER_DELAY_SEC)) {
            return MessageType.DELAY;
        }
        if (props.containsKey(SHARDING_KEY)) {
            return MessageType.FIFO;
        }
        return MessageType.NORMAL;
    }

    /** The topic a consumer sees a popped record under: a POP redelivery shows the topic it was first sent to. */
    static String consumerTopic(DecodedMessage d) {
        if (d.topic != null && d.topic.startsWith(TopicNames.RETRY_PREFIX)) {
            String original = MessageProperties.valueOf(d.properties, MessageProperties.RETRY_TOPIC);
            if (original != null) {
                return original;
            }
        }
        return d.topic;
    }

    private static byte[] plainBody(DecodedMessage d) {
        return io.quiver.protocol.message.Bodies.uncompressed(d, io.quiver.protocol.message.Bodies.MAX_INFLATED_BYTES);
    }

    static String md5(byte[] body) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("MD5").digest(body);
            return java.util.HexFormat.of().withUpperCase().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hostOf(byte[] address) {
        if (address == null) {
            return "";
        }
        try {
            return java.net.InetAddress.getByAddress(address).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "";
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    static Set<String> newSet() {
        return new HashSet<>();
    }
}
