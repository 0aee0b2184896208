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
    /** Where the clients' own message trace goes (enableMsgTrace), RocketMQ's default msgTraceTopicName. */
    public static final String TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

    /** Topics no producer may send to directly. */
    public static final Set<String> NOT_ALLOWED_TO_SEND = Set.of(SCHEDULE_TOPIC, TRANS_HALF_TOPIC,
        TRANS_OP_HALF_TOPIC, TRANS_CHECK_MAX_TIME_TOPIC, SELF_TEST_TOPIC, OFFSET_MOVED_EVENT, TIMER_TOPIC);

    /** Longest group name, as official clients check it. */
    public static final int GROUP_MAX_LENGTH = 255;

    /** Returns null when valid, else a sentence saying what is wrong. */
    public static String validate(String topic) {
        return validateName("topic", topic, MAX_LENGTH);
    }

    /**
     * Returns null when {@code group} is a valid consumer or producer group name, else a sentence saying
     * what is wrong: the characters official clients allow ({@link #validate} has the same set), at most
     * {@link #GROUP_MAX_LENGTH} of them. Retry and dead-letter topics are named after groups, and topics name
     * directories of the store, so a group name may hold nothing a path could use ('/', '.', NUL).
     */
    public static String validateGroup(String group) {
        return validateName("group", group, GROUP_MAX_LENGTH);
    }

    private static String validateName(String kind, String name, int maxLength) {
        if (name == null || name.isBlank()) {
            return "the " + kind + " name is empty";
        }
        if (name.length() > maxLength) {
            return "the " + kind + " name is " + name.length() + " characters long; the limit is " + maxLength;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '%' || c == '|';
            if (!ok) {
                return "the " + kind + " name '" + printable(name) + "' contains " + describe(c)
                    + "; only letters, digits, '%', '|', '_' and '-' are allowed";
            }
        }
        return null;
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7F || Character.isSurrogate(c) ? String.format("the character U+%04X", (int) c)
            : "'" + c + "'";
    }

    /** The name with control characters shown as U+XXXX, so a remark stays one readable line. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("U+%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Returns null when a topic may be created with this name, else why not. Retry and dead-letter topics
     * follow their group's name rule ({@link #validateGroup}), every other topic {@link #validate}.
     */
    public static String validateCreatable(String topic) {
        if (topic != null && (isRetry(topic) || isDlq(topic))) {
            String group = topic.substring(isRetry(topic) ? RETRY_PREFIX.length() : DLQ_PREFIX.length());
            String bad = validateGroup(group);
            return bad == null ? null : "topic " + printable(topic) + " is named after a group: " + bad;
        }
        return validate(topic);
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

    /** Where POP redelivers a group's messages of {@code topic} (RocketMQ 5's naming, one per group and topic). */
    public static String popRetryTopic(String group, String topic) {
        return RETRY_PREFIX + group + "_" + topic;
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
