package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.testkit.QuiverCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the {@code quiver} CLI run as a separate process against a running standalone
 * (topics, groups with lag, messages, cluster, broker settings, exit codes), and the Prometheus endpoint
 * scraped after known traffic, its counters and lag figures exact.
 */
@Timeout(180)
class OperationsIT extends QuiverIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static QuiverCli.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--namesrv");
        all.add(quiver.namesrvAddr());
        return QuiverCli.run(all.toArray(new String[0]));
    }

    private static JsonNode cliJson(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        QuiverCli.Result r = cli(all.toArray(new String[0]));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return JSON.readTree(r.out());
    }

    /** The samples of a Prometheus text exposition: "name{labels}" to value. */
    private static Map<String, Double> scrape() throws Exception {
        HttpResponse<String> resp = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(quiver.metricsUrl())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : resp.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return samples;
    }

    private static double sum(Map<String, Double> samples, String name, String... labels) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") || e.getKey().equals(name))
            .filter(e -> {
                for (String l : labels) {
                    if (!e.getKey().contains(l)) {
                        return false;
                    }
                }
                return true;
            }).mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void cliAndMetricsShowTopicsMessagesAndExactLag() throws Exception {
        String topic = unique("Ops");
        QuiverCli.Result created = cli("topic", "create", topic, "--queues", "4");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).contains("created topic " + topic + " with 4 queues");
        DefaultMQProducer p = producer();
        await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
        assertThat(cliJson("topic", "list")).extracting(JsonNode::asText).contains(topic);

        List<SendResult> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(p.send(new Message(topic, "tag" + (i % 2), "key-" + i, ("body-" + i).getBytes())));
        }
        JsonNode described = cliJson("topic", "describe", topic);
        assertThat(described.get("messages").asLong()).isEqualTo(10);
        assertThat(described.get("queues")).hasSize(4);

        // A group consumes the ten and commits; three more arrive: its lag is exactly three.
        String group = unique("OpsCG");
        consumeThenStop(group, topic, 10); // its shutdown commits the offsets
        for (int i = 10; i < 13; i++) {
            sent.add(p.send(new Message(topic, "tag0", "key-" + i, ("body-" + i).getBytes())));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(cliJson("group", "describe", group).get("lag").asLong()).isEqualTo(3));
        JsonNode g = cliJson("group", "describe", group, "--topic", topic);
        long perQueue = 0;
        for (JsonNode q : g.get("queues")) {
            assertThat(q.get("lag").asLong()).isEqualTo(q.get("brokerOffset").asLong() - q.get("consumerOffset").asLong());
            perQueue += q.get("lag").asLong();
        }
        assertThat(perQueue).isEqualTo(3);
        QuiverCli.Result table = cli("group", "describe", group);
        assertThat(table.out()).contains("total lag 3").contains("CONSUMER OFFSET");
        assertThat(cliJson("group", "list")).anySatisfy(n -> {
            assertThat(n.get("group").asText()).isEqualTo(group);
            assertThat(n.get("lag").asLong()).isEqualTo(3);
        });

        // The same figures at /metrics.
        Map<String, Double> m = scrape();
        String t = "topic=\"" + topic + "\"";
        String gl = "group=\"" + group + "\"";
        assertThat(sum(m, "quiver_messages_in_total", t)).isEqualTo(13.0);
        assertThat(sum(m, "quiver_bytes_in_total", t)).isEqualTo(10 * 6 + 3 * 7);
        assertThat(sum(m, "quiver_messages_out_total", t)).isGreaterThanOrEqualTo(10.0);
        assertThat(sum(m, "quiver_consumer_lag", gl, t)).isEqualTo(3.0);
        assertThat(sum(m, "quiver_consumer_group_lag", gl, t)).isEqualTo(3.0);
        assertThat(sum(m, "quiver_send_latency_seconds_count")).isGreaterThanOrEqualTo(13.0);
        assertThat(sum(m, "quiver_flush_forces_total")).isPositive();
        assertThat(m).containsKey("quiver_disk_used_ratio").containsKey("quiver_transactions_pending")
            .containsKey("jvm_memory_used_bytes{area=\"heap\"}");

        // Messages: by offset id, by unique key, by key, by time.
        SendResult third = sent.get(3);
        QuiverCli.Result byId = cli("message", "get", third.getOffsetMsgId());
        assertThat(byId.exitCode()).as(byId.toString()).isZero();
        assertThat(byId.out()).contains("body-3").contains("key-3").contains(topic);
        JsonNode byUniq = cliJson("message", "get", third.getMsgId(), "--topic", topic);
        assertThat(byUniq.get("body").asText()).isEqualTo("body-3");
        assertThat(byUniq.get("uniqKey").asText()).isEqualTo(third.getMsgId());
        JsonNode byKey = cliJson("message", "search", "--topic", topic, "--key", "key-11");
        assertThat(byKey).hasSize(1);
        assertThat(byKey.get(0).get("body").asText()).isEqualTo("body-11");
        JsonNode byTime = cliJson("message", "search", "--topic", topic, "--since", "0", "--limit", "100");
        List<String> bodies = new ArrayList<>();
        byTime.forEach(n -> bodies.add(n.get("body").asText()));
        assertThat(bodies).hasSize(13).contains("body-0", "body-12");
        QuiverCli.Result missing = cli("message", "get", "7F00000100002A9F0000000000ABCDEF");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(3);
        assertThat(missing.err()).contains("no message with id");

        // The cluster and its counters.
        JsonNode cluster = cliJson("cluster");
        assertThat(cluster).hasSize(1);
        assertThat(cluster.get(0).get("state").asText()).isEqualTo("SERVING");
        assertThat(cluster.get(0).get("inToday").asLong()).isGreaterThanOrEqualTo(13);

        // Delete, then it is gone.
        QuiverCli.Result deleted = cli("topic", "delete", topic);
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        QuiverCli.Result gone = cli("topic", "describe", topic);
        assertThat(gone.exitCode()).isEqualTo(3);
        assertThat(gone.err()).contains("does not exist");
    }

    @Test
    void brokerSettingsAndExitCodes() throws Exception {
        QuiverCli.Result set = cli("broker", "config", "set", "drainQuietMillis=2500", "transactionCheckMax=9");
        assertThat(set.exitCode()).as(set.toString()).isZero();
        QuiverCli.Result get = cli("broker", "config", "get", "drainQuietMillis", "transactionCheckMax");
        assertThat(get.out()).contains("drainQuietMillis=2500").contains("transactionCheckMax=9");
        QuiverCli.Result later = cli("broker", "config", "set", "maxMessageSize=2097152");
        assertThat(later.exitCode()).as(later.toString()).isZero();
        assertThat(later.out()).contains("maxMessageSize applies after a restart");
        QuiverCli.Result refused = cli("broker", "config", "set", "storePathRootDir=/elsewhere");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("black list");
        QuiverCli.Result unknownKey = cli("broker", "config", "get", "noSuchSetting");
        assertThat(unknownKey.exitCode()).isEqualTo(3);

        QuiverCli.Result usage = cli("topic", "create");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required parameter");
        QuiverCli.Result badName = cli("topic", "create", "bad name!");
        assertThat(badName.exitCode()).isEqualTo(2);
        assertThat(badName.err()).contains("invalid topic name");
        QuiverCli.Result unreachable = QuiverCli.run("topic", "list", "--namesrv", "127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach 127.0.0.1:1");
        QuiverCli.Result help = QuiverCli.run("--help");
        assertThat(help.out()).contains("topic").contains("group").contains("message").contains("cluster");
    }
}
