package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.KvTable;
import io.quiver.remoting.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * GET_BROKER_CONFIG and GET_BROKER_RUNTIME_INFO (mqadmin brokerStatus, the quiver CLI's cluster view).
 * The runtime figures come from one supplier the broker composes. Admin pool.
 */
public final class BrokerInfoHandlers {
    private final BrokerConfig config;
    private final TopicTable topics;
    private final Supplier<Map<String, String>> runtimeFigures;

    public BrokerInfoHandlers(BrokerConfig config, TopicTable topics, Supplier<Map<String, String>> runtimeFigures) {
        this.config = config;
        this.topics = topics;
        this.runtimeFigures = runtimeFigures;
    }

    /**
     * Keys of RocketMQ's broker config that Quiver has no setting for but that mqadmin exportConfigs and exportMetrics
     * read (a missing one makes them fail), with the value that describes this broker.
     */
    static Map<String, String> rocketmqOnlyKeys() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("filterServerNums", "0");
        m.put("traceOn", "true");
        m.put("clientCallbackExecutorThreads", Integer.toString(Runtime.getRuntime().availableProcessors()));
        return m;
    }

    public void brokerConfig(RequestContext ctx, RemotingCommand req) {
        StringBuilder sb = new StringBuilder();
        Map<String, String> all = new java.util.LinkedHashMap<>(config.asMap());
        rocketmqOnlyKeys().forEach(all::putIfAbsent);
        all.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .putExt("version", Json.encodeToString(topics.dataVersion()))
            .body(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** GET_BROKER_RUNTIME_INFO: RocketMQ's version keys, then the broker's figures (traffic, store, clients...). */
    public void runtimeInfo(RequestContext ctx, RemotingCommand req) {
        KvTable t = new KvTable();
        t.table.put("brokerVersionDesc", "V4_9_8");
        t.table.put("brokerVersion", "409");
        t.table.put("quiverVersion", "0.1.0");
        t.table.put("brokerActive", "true");
        t.table.putAll(runtimeFigures.get());
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(t)));
    }
}
