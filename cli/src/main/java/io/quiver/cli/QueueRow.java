package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One entry of a queue-keyed table (TopicStatsTable, ConsumeStats): the key is a MessageQueue written as a
 * JSON string (fact sheet §12.2), the value an object.
 */
record QueueRow(String topic, String brokerName, int queueId, JsonNode value) {
    /** The rows of {@code table}, ordered by topic, broker and queue. */
    static List<QueueRow> parse(JsonNode table) {
        List<QueueRow> rows = new ArrayList<>();
        if (table == null) {
            return rows;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                JsonNode k = Json.mapper().readTree(e.getKey());
                rows.add(new QueueRow(k.path("topic").asText(), k.path("brokerName").asText(), k.path("queueId").asInt(),
                    e.getValue()));
            } catch (IOException ex) {
                throw new UncheckedIOException("a queue key is not JSON: " + e.getKey(), ex);
            }
        }
        rows.sort(Comparator.comparing(QueueRow::topic).thenComparing(QueueRow::brokerName)
            .thenComparingInt(QueueRow::queueId));
        return rows;
    }
}
