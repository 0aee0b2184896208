package io.quiver.cli;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quiver.controller.ControllerNode;
import io.quiver.controller.GroupState;
import java.io.IOException;

/** A controller's Prometheus endpoint ({@code metricsExporterType=PROM}): elections, in-sync changes, leadership. */
final class ControllerMetrics implements AutoCloseable {
    private final HTTPServer http;

    ControllerMetrics(ControllerNode node, String host, int port) {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        CounterWithCallback.builder().name("quiver_controller_elections")
            .help("Elections (changes of a group's master epoch) this controller applied since it started")
            .callback(cb -> cb.call(node.elections())).register(registry);
        CounterWithCallback.builder().name("quiver_controller_in_sync_changes")
            .help("Changes of a group's in-sync set by its master that this controller applied since it started")
            .callback(cb -> cb.call(node.inSyncChanges())).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_leader")
            .help("1 while this controller leads the controllers' Raft group, else 0")
            .callback(cb -> cb.call(node.isLeader() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_group_in_sync_replicas")
            .help("Members of each broker group's in-sync set, its master included (0 while it has no master)")
            .labelNames("cluster", "broker")
            .callback(cb -> {
                for (GroupState g : node.groups()) {
                    cb.call(g.hasMaster() ? g.inSync().size() : 0, g.cluster(), g.brokerName());
                }
            }).register(registry);
        GaugeWithCallback.builder().name("quiver_controller_group_master_epoch")
            .help("Each broker group's master epoch")
            .labelNames("cluster", "broker")
            .callback(cb -> {
                for (GroupState g : node.groups()) {
                    cb.call(g.masterEpoch(), g.cluster(), g.brokerName());
                }
            }).register(registry);
        try {
            http = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve the controller's metrics on " + host + ":" + port + " ("
                + e.getMessage() + "); set metricsPromExporterPort to a free port, or metricsExporterType=DISABLE", e);
        }
    }

    int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
    }
}
