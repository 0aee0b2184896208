package io.quiver.broker.metrics;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.store.MessageStore;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the metrics read from the rest of the broker when a scrape arrives. The broker supplies each source,
 * so this package depends on no handler or service.
 *
 * @param maxLagSeries most per-queue consumer-lag series in one scrape ({@code metricsMaxLagSeries})
 * @param replication  this broker's replication state (GET_BROKER_HA_STATUS), or null where there is none
 * @param trace        the trace store, or null when it is off
 */
public record MetricSources(Traffic traffic, MessageStore store, ConsumerOffsetTable offsets, ClientRegistry clients,
                            Supplier<Map<String, Long>> transactionCounters, LongSupplier delayLevelPending,
                            LongSupplier timerPending, IntSupplier parkedPulls, int maxLagSeries,
                            Supplier<io.quiver.protocol.body.HaRuntimeInfo> replication, io.quiver.store.TraceLog trace) {
}
