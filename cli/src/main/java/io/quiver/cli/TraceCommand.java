package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quiver message trace ID}: a message's timeline, from every master's trace store (QUIVER_QUERY_TRACE), with
 * the clients' own trace merged by the brokers.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = "What happened to a message: stored, delivered, consumed, retried, dead-lettered, and the clients' "
        + "own trace (enableMsgTrace), oldest first.")
final class TraceCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    AdminOptions admin;

    @Parameters(index = "0", paramLabel = "ID", description = "the message's unique id (msgId), its offset id, or a key")
    String id;

    @Option(names = "--since", paramLabel = "TIME", description = "only events at or after TIME")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "only events before TIME")
    String until;

    @Override
    public Integer call() {
        return Failure.run(() -> {
            long begin = since == null ? 0 : Times.parse(since);
            long end = until == null ? Long.MAX_VALUE : Times.parse(until);
            ObjectNode result;
            try (AdminClient c = admin.connect()) {
                result = traceJson(c, id, begin, end);
            }
            result.path("warnings").forEach(w -> System.err.println(w.asText()));
            List<JsonNode> events = new ArrayList<>();
            result.path("events").forEach(events::add);
            boolean truncated = result.path("truncated").asBoolean();
            if (admin.json) {
                System.out.println(result.path("events"));
            } else if (events.isEmpty()) {
                System.out.println("(nothing known of " + id + ": not stored here, or older than the trace store keeps)");
            } else {
                Table t = new Table("TIME", "BROKER", "EVENT", "TOPIC", "QUEUE", "OFFSET", "GROUP", "CLIENT", "DETAIL");
                for (JsonNode e : events) {
                    t.row(Times.format(e.path("time").asLong()), e.path("broker").asText(), e.path("kind").asText(),
                        text(e, "topic"), e.path("queueId").asInt() < 0 ? null : e.path("queueId").asInt(),
                        e.path("queueOffset").asLong() < 0 ? null : e.path("queueOffset").asLong(), text(e, "group"),
                        text(e, "client"), text(e, "detail"));
                }
                t.print(System.out);
                if (truncated) {
                    System.out.println("(more events exist than one answer holds; narrow with --since/--until)");
                }
            }
            return events.isEmpty() ? Exit.NOT_FOUND : Exit.OK;
        });
    }

    /**
     * A message's timeline from every master, oldest first: {@code events} (each with its {@code broker}),
     * {@code truncated}, and {@code warnings} for brokers that could not answer or dropped trace entries.
     */
    static ObjectNode traceJson(AdminClient c, String id, long begin, long end) {
        List<ObjectNode> events = new ArrayList<>();
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode warnings = out.putArray("warnings");
        boolean truncated = false;
        for (String[] b : c.masterBrokers()) {
            RemotingCommand resp = c.callAny(b[1], RemotingCommand.request(RequestCode.QUIVER_QUERY_TRACE)
                .putExt("id", id).putExt("begin", begin).putExt("end", end));
            if (resp.code() != ResponseCode.SUCCESS) {
                warnings.add("broker " + b[0] + " (" + b[1] + "): " + resp.remark());
                continue;
            }
            JsonNode body = readBody(resp.body());
            truncated |= body.path("truncated").asBoolean();
            long dropped = body.path("dropped").asLong();
            if (dropped > 0) {
                warnings.add("broker " + b[0] + ": its trace store dropped " + dropped
                    + " entries while overloaded; the timeline may miss events");
            }
            for (JsonNode e : body.path("events")) {
                ObjectNode o = (ObjectNode) e;
                o.put("broker", b[0]);
                events.add(o);
            }
        }
        events.sort(Comparator.comparingLong(e -> e.path("time").asLong()));
        ArrayNode arr = out.putArray("events");
        events.forEach(arr::add);
        out.put("truncated", truncated);
        return out;
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static JsonNode readBody(byte[] body) {
        try {
            return Json.mapper().readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            throw new IllegalStateException("a broker's trace answer is not JSON: " + e.getMessage(), e);
        }
    }
}
