package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.message.DecodedMessage;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The console's JSON API: each call is made of the same admin requests as the CLI's commands (it calls their
 * functions). Parameters are checked before anything is asked of the cluster; every answer is bounded.
 */
final class ConsoleApi {
    /** Longest name, key or id accepted. */
    static final int MAX_NAME = 255;
    /** Most topics the topics page describes. */
    static final int MAX_TOPICS = 200;
    /** Most messages one search returns. */
    static final int MAX_MESSAGES = 200;
    /** Body characters a search result carries (the message page shows the whole body). */
    static final int LIST_BODY_CHARS = 256;
    /** Widest time range of a search by time. */
    static final long MAX_RANGE_MILLIS = 7L * 24 * 3600 * 1000;

    /** A refusal of a request's parameters (HTTP 400) or of its subject (404). */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final ConsoleHistory history;

    ConsoleApi(ConsoleHistory history) {
        this.history = history;
    }

    /** Reads: the answer to GET {@code path} with {@code q}. */
    JsonNode get(AdminClient c, String path, Map<String, String> q) throws IOException {
        return switch (path) {
            case "cluster" -> ClusterCommand.clusterJson(c);
            case "topics" -> topics(c);
            case "topic" -> topic(c, name(q, "name"));
            case "groups" -> GroupCommand.listJson(c, false);
            case "group" -> group(c, name(q, "name"));
            case "messages" -> messages(c, q);
            case "message" -> message(c, name(q, "id"), optName(q, "topic"));
            case "trace" -> TraceCommand.traceJson(c, name(q, "id"), time(q, "since", 0), time(q, "until", Long.MAX_VALUE));
            case "transactions" -> transactions(c);
            case "history" -> history.json();
            default -> throw new BadRequest(404, "no such API: /api/" + path);
        };
    }

    /** Changes: the answer to POST {@code path} with {@code q}. */
    JsonNode post(AdminClient c, String path, Map<String, String> q) throws IOException {
        return switch (path) {
            case "group/reset" -> reset(c, name(q, "name"), name(q, "topic"), time(q, "time", -1));
            case "group/redrive" -> redrive(c, name(q, "name"));
            default -> throw new BadRequest(404, "no such API: POST /api/" + path);
        };
    }

    private static ArrayNode topics(AdminClient c) throws IOException {
        ArrayNode arr = Json.mapper().createArrayNode();
        List<String> names = TopicCommand.ListTopics.names(c, false);
        for (String t : names.subList(0, Math.min(names.size(), MAX_TOPICS))) {
            try {
                ObjectNode d = TopicCommand.Describe.describeJson(c, t);
                arr.add(Json.mapper().createObjectNode().put("topic", t).put("queues", d.path("queues").size())
                    .put("messages", d.path("messages").asLong()).put("stored", d.path("stored").asLong()));
            } catch (Failure gone) {
                // deleted between the list and its description
            }
        }
        return arr;
    }

    private static ObjectNode topic(AdminClient c, String topic) throws IOException {
        ObjectNode o;
        try {
            o = TopicCommand.Describe.describeJson(c, topic);
        } catch (Failure f) {
            throw new BadRequest(404, f.getMessage());
        }
        java.util.TreeSet<String> groups = new java.util.TreeSet<>();
        for (String[] b : c.brokersOf(topic)) {
            RemotingCommand resp = c.callAny(b[1], RemotingCommand.request(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO)
                .putExt("topic", topic));
            if (resp.code() == ResponseCode.SUCCESS && resp.body() != null) {
                Json.mapper().readTree(resp.body()).path("groupList").forEach(g -> groups.add(g.asText()));
            }
        }
        o.set("groups", Json.mapper().valueToTree(groups));
        return o;
    }

    private static ObjectNode group(AdminClient c, String group) throws IOException {
        ObjectNode o;
        try {
            o = GroupCommand.describeJson(c, group, null);
        } catch (Failure f) {
            throw new BadRequest(404, f.getMessage());
        }
        long dlq = 0;
        try {
            dlq = TopicCommand.Describe.describeJson(c, "%DLQ%" + group).path("messages").asLong();
        } catch (Failure none) {
            // no dead letters yet: the topic does not exist
        }
        o.put("deadLetters", dlq);
        o.put("consumeTps", consumeTps(c, group, o));
        return o;
    }

    /** Messages per second the group took over the last minute, from each master's statistics (VIEW_BROKER_STATS_DATA). */
    private static double consumeTps(AdminClient c, String group, JsonNode described) throws IOException {
        java.util.Set<String> topics = new java.util.TreeSet<>();
        described.path("queues").forEach(q -> topics.add(q.path("topic").asText()));
        double tps = 0;
        for (String[] b : c.masterBrokers()) {
            for (String t : topics) {
                RemotingCommand resp = c.callAny(b[1], RemotingCommand.request(RequestCode.VIEW_BROKER_STATS_DATA)
                    .putExt("statsName", "GROUP_GET_NUMS").putExt("statsKey", t + "@" + group));
                if (resp.code() == ResponseCode.SUCCESS && resp.body() != null) {
                    tps += Json.mapper().readTree(resp.body()).path("statsMinute").path("tps").asDouble();
                }
            }
        }
        return tps;
    }

    private static ArrayNode messages(AdminClient c, Map<String, String> q) {
        String topic = name(q, "topic");
        int limit = (int) number(q, "limit", 32, 1, MAX_MESSAGES);
        TopicRouteData route = c.route(topic);
        if (route == null) {
            throw new BadRequest(404, "topic " + topic + " does not exist");
        }
        String key = optName(q, "key");
        List<DecodedMessage> found;
        if (key != null) {
            found = MessageCommand.query(c, topic, key, false, limit, 0, Long.MAX_VALUE);
        } else {
            long since = time(q, "since", -1);
            if (since < 0) {
                throw new BadRequest(400, "give a key (key) or the start of a time range (since)");
            }
            long until = time(q, "until", Long.MAX_VALUE);
            long end = until == Long.MAX_VALUE ? System.currentTimeMillis() : until;
            if (end - since > MAX_RANGE_MILLIS) {
                throw new BadRequest(400, "the time range is wider than 7 days; narrow it");
            }
            if (until < since) {
                throw new BadRequest(400, "the time range is empty: until is before since");
            }
            found = MessageCommand.Search.byTime(c, topic, route, since, until, limit);
        }
        ArrayNode arr = Json.mapper().createArrayNode();
        for (DecodedMessage m : found.subList(0, Math.min(found.size(), limit))) {
            ObjectNode o = MessageCommand.json(m);
            for (String field : new String[] {"body", "bodyBase64"}) {
                String b = o.path(field).asText(null);
                if (b != null && b.length() > LIST_BODY_CHARS) {
                    o.put(field, b.substring(0, LIST_BODY_CHARS));
                    o.put("bodyTruncated", true);
                }
            }
            arr.add(o);
        }
        return arr;
    }

    private static ObjectNode message(AdminClient c, String id, String topic) {
        DecodedMessage m = MessageCommand.Get.find(c, id, topic);
        if (m == null) {
            throw new BadRequest(404, "no message with id " + id + (topic == null
                ? " (for a message id a client made, give its topic too)" : " in topic " + topic));
        }
        return MessageCommand.json(m);
    }

    private static ArrayNode transactions(AdminClient c) throws IOException {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (String[] b : c.masterBrokers()) {
            byte[] body = c.call(b[1], RemotingCommand.request(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS)
                .putExt("limit", 100)).body();
            JsonNode doc = body == null ? null : Json.mapper().readTree(body);
            ObjectNode o = doc instanceof ObjectNode on ? on : Json.mapper().createObjectNode();
            arr.add(o.put("broker", b[0]));
        }
        return arr;
    }

    /** Moves the group's committed offsets of {@code topic} to the first message stored at or after {@code time}. */
    private static ObjectNode reset(AdminClient c, String group, String topic, long time) throws IOException {
        if (time < 0) {
            throw new BadRequest(400, "give the time to reset to (time: epoch ms or 2026-11-22T10:00)");
        }
        if (c.route(topic) == null) {
            throw new BadRequest(404, "topic " + topic + " does not exist");
        }
        ObjectNode out = Json.mapper().createObjectNode().put("group", group).put("topic", topic).put("time", time);
        ArrayNode brokers = out.putArray("brokers");
        for (String[] b : c.brokersOf(topic)) {
            RemotingCommand resp = c.callAny(b[1], RemotingCommand.request(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET)
                .putExt("topic", topic).putExt("group", group).putExt("timestamp", time).putExt("isForce", true));
            ObjectNode r = brokers.addObject().put("broker", b[0]).put("code", resp.code());
            if (resp.code() != ResponseCode.SUCCESS) {
                r.put("remark", resp.remark());
            } else if (resp.body() != null) {
                r.set("offsets", Json.mapper().readTree(resp.body()).path("offsetTable"));
            }
        }
        return out;
    }

    private static ObjectNode redrive(AdminClient c, String group) throws IOException {
        ObjectNode out = Json.mapper().createObjectNode().put("group", group);
        long moved = 0;
        for (String[] b : c.masterBrokers()) {
            byte[] body = c.call(b[1], RemotingCommand.request(RequestCode.QUIVER_DLQ_REDRIVE).putExt("group", group)).body();
            moved += body == null ? 0 : Json.mapper().readTree(body).path("moved").asLong();
        }
        return out.put("moved", moved);
    }

    // ------------------------------------------------------------------ parameters

    static String name(Map<String, String> q, String key) {
        String v = optName(q, key);
        if (v == null) {
            throw new BadRequest(400, "missing parameter " + key);
        }
        return v;
    }

    static String optName(Map<String, String> q, String key) {
        String v = q.get(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        v = v.trim();
        if (v.length() > MAX_NAME || v.chars().anyMatch(ch -> ch < 0x20)) {
            throw new BadRequest(400, "parameter " + key + " must be 1 to " + MAX_NAME + " printable characters");
        }
        return v;
    }

    static long time(Map<String, String> q, String key, long absent) {
        String v = q.get(key);
        if (v == null || v.isBlank()) {
            return absent;
        }
        try {
            return Times.parse(v.trim());
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "parameter " + key + ": " + e.getMessage());
        }
    }

    static long number(Map<String, String> q, String key, long absent, long min, long max) {
        String v = q.get(key);
        if (v == null || v.isBlank()) {
            return absent;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new BadRequest(400, "parameter " + key + " is between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "parameter " + key + " is not a number: " + v);
        }
    }
}
