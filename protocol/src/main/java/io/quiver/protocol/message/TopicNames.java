package io.quiver.protocol.message;

import java.util.Set;

/** Rules and reserved names for topics and groups (fact sheet §5.1, §5.2, §11.1). */
public final class TopicNames {
    private TopicNames() {}

    public static final int MAX_LENGTH = 127;
    public static final String AUTO_CREATE_TEMPLATE = "TBW102";
    public static final String RETRY_PREFIX = "%RETRY%";
    public static final String DLQ_PREFIX = "%DLQ%";
    public static final String SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
    public static final String TRANS_HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
    public static final String TRANS_OP_HALF_TOPIC = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
    public static final String TRANS_CHECK_MAX_TIME_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC";
    public static final String SELF_TEST_TOPIC = "SELF_TEST_TOPIC";
    public static final String OFFSET_MOVED_EVENT = "OFFSET_MOVED_EVENT";
    public static final String TIMER_TOPIC = "rmq_sys_wheel_timer";

    /** Topics no producer may send to directly. */
    public static final Set<String> NOT_ALLOWED_TO_SEND = Set.of(SCHEDULE_TOPIC, TRANS_HALF_TOPIC,
        TRANS_OP_HALF_TOPIC, TRANS_CHECK_MAX_TIME_TOPIC, SELF_TEST_TOPIC, OFFSET_MOVED_EVENT, TIMER_TOPIC);

    /** Returns null when valid, else a sentence saying what is wrong. */
    public static String validate(String topic) {
        if (topic == null || topic.isBlank()) {
            return "the topic name is empty";
        }
        if (topic.length() > MAX_LENGTH) {
            return "the topic name is " + topic.length() + " characters long; the limit is " + MAX_LENGTH;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '%' || c == '|';
            if (!ok) {
                return "the topic name '" + topic + "' contains '" + c
                    + "'; only letters, digits, '%', '|', '_' and '-' are allowed";
            }
        }
        return null;
    }

    public static boolean isRetry(String topic) {
        return topic.startsWith(RETRY_PREFIX);
    }

    public static boolean isDlq(String topic) {
        return topic.startsWith(DLQ_PREFIX);
    }

    public static String retryTopic(String group) {
        return RETRY_PREFIX + group;
    }

    public static String dlqTopic(String group) {
        return DLQ_PREFIX + group;
    }

    /** System topics that an admin may not create or delete. */
    public static boolean isSystem(String topic) {
        return NOT_ALLOWED_TO_SEND.contains(topic) || topic.equals(AUTO_CREATE_TEMPLATE)
            || topic.startsWith("rmq_sys_") || topic.startsWith("RMQ_SYS_");
    }
}
