package io.quiver.broker.trace;

/** The keys trace entries are found by; one place, shared by the recorder and the query. */
final class TraceKeys {
    private TraceKeys() {
    }

    /** Events that name the message's unique id. */
    static String message(String msgId) {
        return "m:" + msgId;
    }

    /** Stored events of messages carrying this user key. */
    static String userKey(String key) {
        return "k:" + key;
    }

    /** Events of the copy at this queue position (stored, delivered, popped, acknowledged). */
    static String position(String topic, int queueId, long queueOffset) {
        return "q:" + topic + "@" + queueId + "@" + queueOffset;
    }

    /** A group's offset commits of one queue. */
    static String commits(String topic, int queueId, String group) {
        return "c:" + topic + "@" + queueId + "@" + group;
    }
}
