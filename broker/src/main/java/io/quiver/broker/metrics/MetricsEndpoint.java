package io.quiver.broker.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's Prometheus metrics and the HTTP endpoint that serves them ({@code /metrics}). Latency
 * histograms are recorded by the handlers as requests complete; everything else (traffic counters, lag,
 * transactions, disk) is read from its owner when a scrape arrives, so nothing is computed between
 * scrapes. Label cardinality is bounded: topics by {@code metricsMaxTopicSeries} (see {@link Traffic}),
 * per-queue lag series by {@code metricsMaxLagSeries}; the per-group-and-topic lag is always complete.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final double[] LATENCY_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram sendLatency;
    private final Histogram pullLatency;
    private final Histogram flushLatency;
    private final MetricSources sources;
    private HTTPServer http;

    public MetricsEndpoint(MetricSources sources) {
        this.sources = sources;
        sendLatency = Histogram.builder().name("quiver_send_latency_seconds")
            .help("Time from a send request's arrival to its answer (includes the disk force under SYNC_FLUSH)")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars().register(registry);
        pullLatency = Histogram.builder().name("quiver_pull_latency_seconds")
            .help("Time to answer a pull that was not held by long polling")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars().register(registry);
        flushLatency = Histogram.builder().name("quiver_flush_latency_seconds")
            .help("Duration of each commit-log force to disk (one force covers a group of sends)")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars().register(registry);
        registerTraffic();
        registerLag();
        registerReplication();
        registerState();
        JvmMetrics.builder().register(registry);
    }

    private void registerTraffic() {
        Traffic t = sources.traffic();
        CounterWithCallback.builder().name("quiver_messages_in").help("Messages stored by sends, per topic")
            .labelNames("topic").callback(cb -> t.byTopic().forEach((topic, c) -> cb.call(c.messagesIn.sum(), topic)))
            .register(registry);
        CounterWithCallback.builder().name("quiver_bytes_in").help("Message body and property bytes stored, per topic")
            .labelNames("topic").callback(cb -> t.byTopic().forEach((topic, c) -> cb.call(c.bytesIn.sum(), topic)))
            .register(registry);
        CounterWithCallback.builder().name("quiver_messages_out").help("Messages returned by pulls, per topic")
            .labelNames("topic").callback(cb -> t.byTopic().forEach((topic, c) -> cb.call(c.messagesOut.sum(), topic)))
            .register(registry);
        CounterWithCallback.builder().name("quiver_bytes_out").help("Stored record bytes returned by pulls, per topic")
            .labelNames("topic").callback(cb -> t.byTopic().forEach((topic, c) -> cb.call(c.bytesOut.sum(), topic)))
            .register(registry);
        CounterWithCallback.builder().name("quiver_retries").help("Messages sent back by consumers for a later retry")
            .callback(cb -> cb.call(t.retries())).register(registry);
        CounterWithCallback.builder().name("quiver_dead_letters")
            .help("Messages moved to a dead-letter queue (%DLQ%<group>) after their last retry")
            .callback(cb -> cb.call(t.deadLetters())).register(registry);
        CounterWithCallback.builder().name("quiver_flush_forces").help("Commit-log forces to disk")
            .callback(cb -> cb.call(sources.store().forceCount())).register(registry);
    }

    private void registerReplication() {
        if (sources.replication() == null) {
            return;
        }
        GaugeWithCallback.builder().name("quiver_replication_replica_lag_bytes")
            .help("Master: commit-log bytes each connected replica has not acknowledged yet")
            .labelNames("replica").callback(cb -> sources.replication().get().haConnectionInfo
                .forEach(c -> cb.call(c.diff, c.addr)))
            .register(registry);
        GaugeWithCallback.builder().name("quiver_replication_replicas_in_sync")
            .help("Master: replicas connected and within haMaxGapNotInSync of its end (a SYNC_MASTER answers "
                + "SLAVE_NOT_AVAILABLE when this is 0)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (h.master) {
                    cb.call(h.inSyncSlaveNums);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_master_epoch")
            .help("Controller mode: the master epoch of this broker's role (a replica: of the master it follows)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (h.masterEpoch != null) {
                    cb.call(h.masterEpoch);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_in_sync_replicas")
            .help("Controller mode, a master: members of the in-sync set the controllers hold, itself included "
                + "(below minInSyncReplicas sends are refused)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (h.syncStateSet != null) {
                    cb.call(h.syncStateSet.size());
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_lease_valid")
            .help("Controller mode, a master: 1 while its lease from the controllers holds (it confirms sends only "
                + "then), else 0")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (h.leaseValid != null) {
                    cb.call(h.leaseValid ? 1 : 0);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_replication_master_lag_bytes")
            .help("Replica: bytes of its master's commit log it does not hold yet (as of the master's last heartbeat)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (!h.master) {
                    cb.call(Math.max(0, h.haClientRuntimeInfo.masterFlushOffset - h.haClientRuntimeInfo.maxOffset));
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_replication_master_lag_seconds")
            .help("Replica: seconds it has lacked part of what its master last said it holds (0 when caught up)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (!h.master) {
                    cb.call(h.haClientRuntimeInfo.behindMillis / 1000.0);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_replication_master_silent_seconds")
            .help("Replica: seconds since its master last sent anything (entries or a heartbeat every second)")
            .callback(cb -> {
                io.quiver.protocol.body.HaRuntimeInfo h = sources.replication().get();
                if (!h.master && h.haClientRuntimeInfo.lastReadTimestamp > 0) {
                    cb.call((System.currentTimeMillis() - h.haClientRuntimeInfo.lastReadTimestamp) / 1000.0);
                }
            }).register(registry);
    }

    private void registerLag() {
        int maxSeries = sources.maxLagSeries();
        GaugeWithCallback.builder().name("quiver_consumer_lag")
            .help("Messages a consumer group has not yet consumed, per queue (the newest offset minus the committed "
                + "offset); at most metricsMaxLagSeries series, see quiver_consumer_group_lag for the sums")
            .labelNames("group", "topic", "queue")
            .callback(cb -> {
                int[] emitted = {0};
                sources.offsets().forEachOffset((group, topic, queue, offset) -> {
                    if (emitted[0]++ < maxSeries) {
                        cb.call(lag(topic, queue, offset), group, topic, Integer.toString(queue));
                    }
                });
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_consumer_group_lag")
            .help("Messages a consumer group has not yet consumed on a topic, summed over the topic's queues")
            .labelNames("group", "topic")
            .callback(cb -> {
                Map<String, long[]> sums = new HashMap<>();
                sources.offsets().forEachOffset((group, topic, queue, offset) ->
                    sums.computeIfAbsent(group + '\n' + topic, k -> new long[1])[0] += lag(topic, queue, offset));
                sums.forEach((k, v) -> {
                    int nl = k.indexOf('\n');
                    cb.call(v[0], k.substring(0, nl), k.substring(nl + 1));
                });
            }).register(registry);
    }

    private long lag(String topic, int queue, long committed) {
        return Math.max(0, sources.store().maxOffset(topic, queue) - committed);
    }

    private void registerState() {
        GaugeWithCallback.builder().name("quiver_transactions_pending")
            .help("Half messages waiting for their commit or rollback")
            .callback(cb -> cb.call(sources.transactionCounters().get().getOrDefault("pending", 0L))).register(registry);
        CounterWithCallback.builder().name("quiver_transactions")
            .help("Transactional messages by outcome (committed, rolledBack, discarded) and check-backs sent (checked)")
            .labelNames("outcome")
            .callback(cb -> sources.transactionCounters().get().forEach((k, v) -> {
                if (!k.equals("pending")) {
                    cb.call(v, k);
                }
            })).register(registry);
        GaugeWithCallback.builder().name("quiver_delayed_messages_pending")
            .help("Delay-level and timer messages not yet delivered").labelNames("kind")
            .callback(cb -> {
                cb.call(sources.delayLevelPending().getAsLong(), "delay_level");
                cb.call(sources.timerPending().getAsLong(), "timer");
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_disk_used_ratio")
            .help("Used fraction of the disk that holds the commit log (0..1)")
            .callback(cb -> cb.call(sources.store().diskUsedRatio())).register(registry);
        GaugeWithCallback.builder().name("quiver_commitlog_bytes")
            .help("Bytes of messages the commit log holds (newest minus oldest offset)")
            .callback(cb -> cb.call(sources.store().commitLogWritePosition() - sources.store().commitLogMinOffset()))
            .register(registry);
        GaugeWithCallback.builder().name("quiver_client_connections")
            .help("Client connections that have sent a heartbeat")
            .callback(cb -> cb.call(sources.clients().connectionCount())).register(registry);
        GaugeWithCallback.builder().name("quiver_consumer_group_clients")
            .help("Online clients of each consumer group (remoting, POP and gRPC alike), by the consume type they "
                + "registered: CONSUME_PASSIVELY (push), CONSUME_ACTIVELY (pull, gRPC simple consumers), CONSUME_POP; at "
                + "most metricsMaxLagSeries series")
            .labelNames("group", "consume_type")
            .callback(cb -> {
                int emitted = 0;
                for (io.quiver.broker.client.ConsumerGroupState g : sources.clients().consumerGroups()) {
                    if (emitted++ >= sources.maxLagSeries()) {
                        break;
                    }
                    String type = g.consumeType();
                    cb.call(g.channels().size(), g.group(), type == null ? "" : type);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_pulls_parked")
            .help("Pulls held by long polling until a message arrives or they time out")
            .callback(cb -> cb.call(sources.parkedPulls().getAsInt())).register(registry);
        GaugeWithCallback.builder().name("quiver_store_damaged_ranges")
            .help("Damaged commit-log ranges the last start stepped over (each cost the message stored there); "
                + "see the log and quiver store verify")
            .callback(cb -> cb.call(sources.store().damagedAtRecovery().size())).register(registry);
        GaugeWithCallback.builder().name("quiver_store_damaged_bytes")
            .help("Bytes in the damaged commit-log ranges the last start stepped over")
            .callback(cb -> cb.call(sources.store().damagedAtRecovery().stream().mapToLong(r -> r.bytes()).sum()))
            .register(registry);
        if (sources.trace() != null) {
            io.quiver.store.TraceLog trace = sources.trace();
            CounterWithCallback.builder().name("quiver_trace_written").help("Entries written to the broker's trace store")
                .callback(cb -> cb.call(trace.written())).register(registry);
            CounterWithCallback.builder().name("quiver_trace_dropped")
                .help("Trace entries dropped because the trace writer was behind (traceStoreQueueCapacity)")
                .callback(cb -> cb.call(trace.dropped())).register(registry);
            GaugeWithCallback.builder().name("quiver_trace_store_bytes")
                .help("Bytes the trace store holds (bounded by traceStoreMaxBytes)")
                .callback(cb -> cb.call(trace.bytes())).register(registry);
        }
        GaugeWithCallback.builder().name("quiver_store_pending_appends")
            .help("Sends waiting for the store's writer thread (SYSTEM_BUSY beyond 16384)")
            .callback(cb -> cb.call(sources.store().pendingAppends())).register(registry);
    }

    /** Starts serving {@code /metrics} on {@code host:port}; fails with an actionable message if it cannot. */
    public void start(String host, int port) {
        start(host, port, null);
    }

    /** As {@link #start(String, int)}, over HTTPS with {@code https} when it is not null. */
    public void start(String host, int port, javax.net.ssl.SSLContext https) {
        sources.store().onForce(nanos -> flushLatency.observe(nanos / 1e9));
        try {
            HTTPServer.Builder b = HTTPServer.builder().hostname(host).port(port).registry(registry);
            if (https != null) {
                b.httpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(https));
            }
            http = b.buildAndStart();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                + "); set metricsPromExporterPort to a free port, or metricsExporterType=DISABLE", e);
        }
        log.info("metrics at {}://{}:{}/metrics", https != null ? "https" : "http", host, http.getPort());
    }

    public void observeSend(long startNanos) {
        sendLatency.observe((System.nanoTime() - startNanos) / 1e9);
    }

    public void observePull(long startNanos) {
        pullLatency.observe((System.nanoTime() - startNanos) / 1e9);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
