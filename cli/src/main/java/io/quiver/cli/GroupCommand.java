package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quiver group list|describe}: consumer groups, their clients, offsets and lag. */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Consumer groups: clients, offsets and lag.",
    subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class})
final class GroupCommand extends CommandGroup {

    /** Groups RocketMQ tools and brokers create for themselves. */
    static boolean isSystemGroup(String g) {
        return g.startsWith("CID_RMQ_SYS_") || g.startsWith("CID_ONSAPI_") || g.equals("TOOLS_CONSUMER")
            || g.equals("FILTERSRV_CONSUMER") || g.equals("SELF_TEST_C_GROUP") || g.equals("CID_ONS-HTTP-PROXY")
            || g.equals("__MONITOR_CONSUMER");
    }

    /** Names of the groups configured on any master broker. */
    static TreeSet<String> groupNames(AdminClient c) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (String[] b : c.masterBrokers()) {
            JsonNode doc = Json.mapper().readTree(c.call(b[1],
                RemotingCommand.request(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body());
            doc.path("subscriptionGroupTable").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /** The group's per-queue offsets on every broker (GET_CONSUME_STATS), optionally for one topic. */
    static List<QueueRow> offsets(AdminClient c, String group, String topic) throws IOException {
        List<QueueRow> rows = new java.util.ArrayList<>();
        for (String[] b : c.masterBrokers()) {
            RemotingCommand req = RemotingCommand.request(RequestCode.GET_CONSUME_STATS).putExt("consumerGroup", group);
            if (topic != null) {
                req.putExt("topic", topic);
            }
            rows.addAll(QueueRow.parse(Json.mapper().readTree(c.call(b[1], req).body()).get("offsetTable")));
        }
        return rows;
    }

    static long lag(QueueRow r) {
        return Math.max(0, r.value().path("brokerOffset").asLong() - r.value().path("consumerOffset").asLong());
    }

    /** The group's online clients on every broker, by client id: {address, language, version}. */
    static Map<String, String[]> clients(AdminClient c, String group, JsonNode[] firstConnection) throws IOException {
        Map<String, String[]> out = new TreeMap<>();
        for (String[] b : c.masterBrokers()) {
            RemotingCommand resp = c.callAny(b[1], RemotingCommand.request(RequestCode.GET_CONSUMER_CONNECTION_LIST)
                .putExt("consumerGroup", group));
            if (resp.code() == ResponseCode.CONSUMER_NOT_ONLINE) {
                continue;
            }
            if (resp.code() != ResponseCode.SUCCESS) {
                throw new Failure(Exit.FAILED, b[1] + " answered code " + resp.code() + ": " + resp.remark());
            }
            JsonNode doc = Json.mapper().readTree(resp.body());
            if (firstConnection != null && firstConnection[0] == null) {
                firstConnection[0] = doc;
            }
            for (JsonNode conn : doc.path("connectionSet")) {
                out.put(conn.path("clientId").asText(), new String[] {conn.path("clientAddr").asText(),
                    conn.path("language").asText(), conn.path("version").asText()});
            }
        }
        return out;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List consumer groups with their online clients and total lag.", Exit.HELP})
    static final class ListGroups implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--all", description = "include the groups of RocketMQ's own tools")
        boolean all;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    Table t = new Table("GROUP", "CLIENTS", "LAG");
                    ArrayNode arr = listJson(c, all);
                    arr.forEach(g -> t.row(g.path("group").asText(), g.path("clients").asInt(), g.path("lag").asLong()));
                    if (admin.json) {
                        System.out.println(arr);
                    } else {
                        t.print(System.out);
                    }
                }
                return Exit.OK;
            });
        }
    }

    /** Every group with its online clients and total lag; RocketMQ's own tools' groups only with {@code all}. */
    static ArrayNode listJson(AdminClient c, boolean all) throws IOException {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (String g : groupNames(c)) {
            if (!all && isSystemGroup(g)) {
                continue;
            }
            int clients = clients(c, g, null).size();
            long lag = offsets(c, g, null).stream().mapToLong(GroupCommand::lag).sum();
            arr.add(Json.mapper().createObjectNode().put("group", g).put("clients", clients).put("lag", lag));
        }
        return arr;
    }

    /** A group's online clients and, per queue, the newest offset, its committed offset and the lag; not found fails. */
    static ObjectNode describeJson(AdminClient c, String group, String topic) throws IOException {
        JsonNode[] conn = new JsonNode[1];
        Map<String, String[]> clients = clients(c, group, conn);
        List<QueueRow> rows = offsets(c, group, topic);
        if (clients.isEmpty() && rows.isEmpty() && !groupNames(c).contains(group)) {
            throw Failure.notFound("consumer group " + group + " does not exist (quiver group list shows the groups)");
        }
        long total = rows.stream().mapToLong(GroupCommand::lag).sum();
        ObjectNode o = Json.mapper().createObjectNode().put("group", group).put("lag", total);
        if (conn[0] != null) {
            o.put("messageModel", conn[0].path("messageModel").asText())
                .put("consumeType", conn[0].path("consumeType").asText());
            o.set("subscriptions", conn[0].path("subscriptionTable"));
        }
        ArrayNode cs = o.putArray("clients");
        clients.forEach((id, v) -> cs.add(Json.mapper().createObjectNode().put("clientId", id)
            .put("address", v[0]).put("language", v[1]).put("version", v[2])));
        ArrayNode qs = o.putArray("queues");
        for (QueueRow r : rows) {
            qs.add(Json.mapper().createObjectNode().put("topic", r.topic()).put("broker", r.brokerName())
                .put("queueId", r.queueId()).put("brokerOffset", r.value().path("brokerOffset").asLong())
                .put("consumerOffset", r.value().path("consumerOffset").asLong()).put("lag", lag(r))
                .put("lastConsumed", r.value().path("lastTimestamp").asLong()));
        }
        return o;
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Show a consumer group's online clients and, per queue, the newest offset, the group's committed offset and the lag (messages not yet consumed).", Exit.HELP})
    static final class Describe implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "only this topic")
        String topic;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    ObjectNode o = describeJson(c, group, topic);
                    if (admin.json) {
                        System.out.println(o);
                        return Exit.OK;
                    }
                    System.out.printf("group %s: %d client(s) online%s, total lag %d%n", group, o.path("clients").size(),
                        o.has("messageModel") ? " (" + o.path("messageModel").asText() + ", "
                            + o.path("consumeType").asText() + ")" : "", o.path("lag").asLong());
                    if (!o.path("clients").isEmpty()) {
                        Table ct = new Table("CLIENT ID", "ADDRESS", "LANGUAGE", "VERSION");
                        o.path("clients").forEach(v -> ct.row(v.path("clientId").asText(), v.path("address").asText(),
                            v.path("language").asText(), v.path("version").asText()));
                        ct.print(System.out);
                        System.out.println();
                    }
                    Table t = new Table("TOPIC", "BROKER", "QUEUE", "BROKER OFFSET", "CONSUMER OFFSET", "LAG",
                        "LAST CONSUMED");
                    for (JsonNode r : o.path("queues")) {
                        t.row(r.path("topic").asText(), r.path("broker").asText(), r.path("queueId").asInt(),
                            r.path("brokerOffset").asLong(), r.path("consumerOffset").asLong(), r.path("lag").asLong(),
                            Times.format(r.path("lastConsumed").asLong()));
                    }
                    if (t.isEmpty()) {
                        System.out.println("(no committed offsets yet)");
                    } else {
                        t.print(System.out);
                    }
                }
                return Exit.OK;
            });
        }
    }
}
