package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.ClusterInfo;
import io.quiver.protocol.body.Json;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code quiver cluster}: every broker the name servers know, with its traffic (mqadmin clusterList). */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = {"List the brokers of every cluster with their traffic and state.", "Per broker: version, messages per second in and out (last 10 s), messages in and out today, and whether the broker is serving or draining.", Exit.HELP})
final class ClusterCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    AdminOptions admin;

    @Override
    public Integer call() {
        return Failure.run(() -> {
            try (AdminClient c = admin.connect()) {
                ArrayNode arr = clusterJson(c);
                Table t = new Table("CLUSTER", "BROKER", "ID", "ADDRESS", "VERSION", "IN/s", "OUT/s", "IN TODAY",
                    "OUT TODAY", "STATE", "REPLICATION");
                for (JsonNode o : arr) {
                    t.row(o.path("cluster").asText(), o.path("broker").asText(), o.path("brokerId").asLong(),
                        o.path("address").asText(), o.path("runtime").path("brokerVersionDesc").asText("-"),
                        o.path("inTps").asText(), o.path("outTps").asText(), o.path("inToday").asLong(),
                        o.path("outToday").asLong(), o.path("state").asText(), replication(o.get("replication")));
                }
                if (admin.json) {
                    System.out.println(arr);
                } else if (t.isEmpty()) {
                    System.out.println("(no brokers are registered with " + admin.namesrv + ")");
                } else {
                    t.print(System.out);
                }
            }
            return Exit.OK;
        });
    }

    /**
     * Every broker the name servers know, by cluster and name: address, state, messages per second in and out, today's
     * totals, its runtime table and replication state (the console's cluster page and {@code quiver cluster --json}).
     */
    static ArrayNode clusterJson(AdminClient c) {
        ClusterInfo info = c.clusterInfo();
        ArrayNode arr = Json.mapper().createArrayNode();
        for (Map.Entry<String, java.util.Set<String>> cl : new TreeMap<>(info.clusterAddrTable).entrySet()) {
            for (String name : new TreeSet<>(cl.getValue())) {
                BrokerData bd = info.brokerAddrTable.get(name);
                if (bd == null) {
                    continue;
                }
                for (Map.Entry<Long, String> e : new TreeMap<>(bd.brokerAddrs).entrySet()) {
                    Map<String, String> rt = runtime(c, e.getValue());
                    String state = rt.isEmpty() ? "UNREACHABLE" : rt.getOrDefault("drainState", "SERVING");
                    ObjectNode o = Json.mapper().createObjectNode().put("cluster", cl.getKey()).put("broker", name)
                        .put("brokerId", e.getKey()).put("address", e.getValue()).put("state", state)
                        .put("inTps", first(rt.get("putTps"))).put("outTps", first(rt.get("getTransferredTps")))
                        .put("inToday", diff(rt, "msgPutTotalTodayNow", "msgPutTotalTodayMorning"))
                        .put("outToday", diff(rt, "msgGetTotalTodayNow", "msgGetTotalTodayMorning"));
                    o.set("runtime", Json.mapper().valueToTree(rt));
                    JsonNode ha = rt.isEmpty() ? null : haStatus(c, e.getValue());
                    if (ha != null) {
                        o.set("replication", ha);
                    }
                    arr.add(o);
                }
            }
        }
        return arr;
    }

    /** The broker's runtime info table, or an empty map if it cannot be reached. */
    static Map<String, String> runtime(AdminClient c, String addr) {
        try {
            JsonNode table = Json.mapper().readTree(c.call(addr, RemotingCommand.request(RequestCode.GET_BROKER_RUNTIME_INFO))
                .body()).path("table");
            Map<String, String> out = new TreeMap<>();
            table.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** GET_BROKER_HA_STATUS (907), or null if the broker does not answer it. */
    static JsonNode haStatus(AdminClient c, String addr) {
        try {
            RemotingCommand r = c.call(addr, RemotingCommand.request(RequestCode.GET_BROKER_HA_STATUS));
            return r.code() == 0 && r.body() != null ? Json.mapper().readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * A master: how many replicas are connected and in sync, and the largest lag; a replica: how far behind its
     * master it is, in bytes and seconds.
     */
    static String replication(JsonNode ha) {
        if (ha == null) {
            return "-";
        }
        String epoch = ha.hasNonNull("masterEpoch") ? "epoch " + ha.path("masterEpoch").asLong() + ", " : "";
        if (ha.path("master").asBoolean() && ha.hasNonNull("syncStateSet")) {
            epoch += "in-sync " + ha.path("syncStateSet").toString() + (ha.path("leaseValid").asBoolean(true) ? ""
                : " (lease lost: not confirming sends)") + ", ";
        }
        if (ha.path("master").asBoolean()) {
            JsonNode conns = ha.path("haConnectionInfo");
            if (conns.size() == 0) {
                return epoch + "no replica";
            }
            long maxLag = 0;
            for (JsonNode n : conns) {
                maxLag = Math.max(maxLag, n.path("diff").asLong());
            }
            return epoch + ha.path("inSyncSlaveNums").asInt() + "/" + conns.size() + " replicas in sync, lag <= " + maxLag
                + " B";
        }
        JsonNode cl = ha.path("haClientRuntimeInfo");
        if (cl.path("masterAddr").isMissingNode() || cl.path("masterAddr").isNull() || cl.path("masterAddr").asText().isEmpty()) {
            return "replica, " + epoch + "master unknown";
        }
        long lag = Math.max(0, cl.path("masterFlushOffset").asLong() - cl.path("maxOffset").asLong());
        return String.format(java.util.Locale.ROOT, "replica, %slag %d B, %.1f s", epoch, lag,
            cl.path("behindMillis").asLong() / 1000.0);
    }

    private static String first(String tps) {
        return tps == null ? "-" : tps.split(" ")[0];
    }

    private static long diff(Map<String, String> rt, String now, String morning) {
        try {
            return Long.parseLong(rt.getOrDefault(now, "0")) - Long.parseLong(rt.getOrDefault(morning, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
