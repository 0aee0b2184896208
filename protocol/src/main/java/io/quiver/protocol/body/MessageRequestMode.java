package io.quiver.protocol.body;

import java.util.Map;
import java.util.TreeMap;

/**
 * SET_MESSAGE_REQUEST_MODE's body (mqadmin setConsumeMode), and the broker's table of them as RocketMQ persists it
 * ({@code messageRequestModeMap}: topic, then group). Official field names.
 */
public final class MessageRequestMode {
    public String topic;
    public String consumerGroup;
    /** "PULL" or "POP". */
    public String mode = "PULL";
    /** POP: how many other clients' queues each client also pops (0 or less: every queue). */
    public int popShareQueueNum;

    /** The persisted table. */
    public static final class Table {
        public Map<String, Map<String, MessageRequestMode>> messageRequestModeMap = new TreeMap<>();
    }
}
