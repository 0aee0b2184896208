package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.KvTable;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: BrokerInfoHandlers answers GET_BROKER_RUNTIME_INFO with RocketMQ's version keys plus the
 * figures of its supplier (read at each request), and GET_BROKER_CONFIG with every setting as a
 * {@code key=value} line and the topic table's data version.
 */
@Timeout(10)
class BrokerInfoHandlersTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final BrokerConfig config = new BrokerConfig();
    final AtomicInteger supplierCalls = new AtomicInteger();
    final Map<String, String> figures = new LinkedHashMap<>();
    TopicTable topics;
    BrokerInfoHandlers handlers;

    @BeforeEach
    void setUp() {
        topics = new TopicTable(dir, 100);
        handlers = new BrokerInfoHandlers(config, topics, () -> {
            supplierCalls.incrementAndGet();
            return Map.copyOf(figures);
        });
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    Map<String, String> runtimeInfo() {
        RemotingCommand resp = h.call(handlers::runtimeInfo, request(RequestCode.GET_BROKER_RUNTIME_INFO));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        return HandlerHarness.bodyAs(resp, KvTable.class).table;
    }

    @Test
    void runtimeInfoHasTheVersionKeysAndTheSuppliersFigures() {
        figures.put("putTps", "12.5 10.0 9.0");
        figures.put("msgPutTotalTodayNow", "1234");
        figures.put("commitLogDiskRatio", "0.42");

        Map<String, String> table = runtimeInfo();

        assertThat(table).containsEntry("brokerVersionDesc", "V4_9_8").containsEntry("brokerVersion", "409")
            .containsEntry("quiverVersion", "0.1.0").containsEntry("brokerActive", "true")
            .containsEntry("putTps", "12.5 10.0 9.0").containsEntry("msgPutTotalTodayNow", "1234")
            .containsEntry("commitLogDiskRatio", "0.42");
    }

    @Test
    void runtimeInfoReadsTheSupplierAtEachRequest() {
        figures.put("msgPutTotalTodayNow", "1");
        assertThat(runtimeInfo()).containsEntry("msgPutTotalTodayNow", "1");
        figures.put("msgPutTotalTodayNow", "2");
        assertThat(runtimeInfo()).containsEntry("msgPutTotalTodayNow", "2");
        assertThat(supplierCalls).hasValue(2);
    }

    @Test
    void brokerConfigListsEverySettingAsKeyValueLines() {
        config.brokerName = "broker-z";
        config.maxTopicCount = 77;
        topics.put(new TopicConfig("T1", 4, PermName.READ_WRITE));

        RemotingCommand resp = h.call(handlers::brokerConfig, request(RequestCode.GET_BROKER_CONFIG));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        String body = new String(HandlerHarness.body(resp), StandardCharsets.UTF_8);
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            assertThat(eq).as("a key=value line: " + line).isPositive();
            lines.put(line.substring(0, eq), line.substring(eq + 1));
        }
        java.util.Set<String> expected = new java.util.HashSet<>(BrokerConfig.settings().keySet());
        expected.addAll(BrokerInfoHandlers.rocketmqOnlyKeys().keySet()); // what mqadmin exportConfigs/exportMetrics read
        assertThat(lines).containsOnlyKeys(expected);
        assertThat(lines).containsEntry("msgTraceTopicName", "RMQ_SYS_TRACE_TOPIC").containsKey("clientCallbackExecutorThreads");
        assertThat(lines).containsEntry("brokerName", "broker-z").containsEntry("maxTopicCount", "77")
            .containsEntry("brokerPermission", "6").containsEntry("autoCreateTopicEnable", "true");

        DataVersion version = Json.decode(resp.ext("version").getBytes(StandardCharsets.UTF_8), DataVersion.class);
        assertThat(version).isEqualTo(topics.dataVersion());
        assertThat(version.counter).isEqualTo(1);
    }
}
