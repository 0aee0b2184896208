package io.quiver.protocol.body;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes JSON maps keyed by {@link MessageQueue} the way fastjson clients read them: each key is a quoted
 * string holding the queue's JSON (fact sheet §12.2; fastjson turns it back into a MessageQueue). Used by
 * TopicStatsTable, ConsumeStats and ResetOffsetBody.
 */
public final class QueueKeyedJson {
    private QueueKeyedJson() {}

    /** {@code {"<queue JSON>":<value JSON>,...}}; values are encoded with {@link Json}. */
    public static String map(Map<MessageQueue, ?> table) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<MessageQueue, ?> e : table.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(Json.encodeToString(Json.encodeToString(e.getKey()))).append(':')
                .append(Json.encodeToString(e.getValue()));
        }
        return sb.append('}').toString();
    }

    /** {@code {"<field>":<queue-keyed map>, ...extra fields}} as UTF-8 bytes. */
    public static byte[] body(String field, Map<MessageQueue, ?> table, String extraFields) {
        String s = "{" + (extraFields == null || extraFields.isEmpty() ? "" : extraFields + ",") + "\"" + field + "\":"
            + map(table) + "}";
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
