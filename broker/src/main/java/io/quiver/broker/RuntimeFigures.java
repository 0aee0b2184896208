package io.quiver.broker;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.delay.ScheduleService;
import io.quiver.broker.delay.TimerService;
import io.quiver.broker.handler.LongPollingService;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.transaction.TransactionService;
import io.quiver.remoting.RemotingServer;
import io.quiver.store.MessageStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The broker's figures for GET_BROKER_RUNTIME_INFO (RocketMQ's keys where it has them): traffic, store,
 * clients, delayed and transactional messages, drain state. Composed here so the handler depends on one
 * supplier; each call reads the parts' thread-safe counters. Any thread.
 */
final class RuntimeFigures implements Supplier<Map<String, String>> {
    private final BrokerConfig config;
    private final Traffic traffic;
    private final MessageStore store;
    private final ClientRegistry clients;
    private final DrainService drain;
    private final ScheduleService schedule;
    private final TimerService timers;
    private final LongPollingService longPolling;
    private final RemotingServer server;
    private final TransactionService transactions;
    private final long startMillis = System.currentTimeMillis();

    RuntimeFigures(BrokerConfig config, Traffic traffic, MessageStore store, ClientRegistry clients, DrainService drain,
                   ScheduleService schedule, TimerService timers, LongPollingService longPolling, RemotingServer server,
                   TransactionService transactions) {
        this.config = config;
        this.traffic = traffic;
        this.store = store;
        this.clients = clients;
        this.drain = drain;
        this.schedule = schedule;
        this.timers = timers;
        this.longPolling = longPolling;
        this.server = server;
        this.transactions = transactions;
    }

    @Override
    public Map<String, String> get() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootTimestamp", Long.toString(startMillis));
        Traffic tr = traffic;
        // RocketMQ's form: messages per second over the last 10 s, 1 min and 10 min.
        String putTps = String.format(java.util.Locale.ROOT, "%.2f %.2f %.2f", tr.putTps(10_000), tr.putTps(60_000),
            tr.putTps(600_000));
        String getTps = String.format(java.util.Locale.ROOT, "%.2f %.2f %.2f", tr.getTps(10_000), tr.getTps(60_000),
            tr.getTps(600_000));
        m.put("putTps", putTps);
        m.put("getTransferedTps", getTps);
        m.put("getTransferredTps", getTps);
        m.put("msgPutTotalTodayNow", Long.toString(tr.putTotal()));
        m.put("msgGetTotalTodayNow", Long.toString(tr.getTotal()));
        m.put("msgPutTotalTodayMorning", Long.toString(tr.putTodayMorning()));
        m.put("msgGetTotalTodayMorning", Long.toString(tr.getTodayMorning()));
        m.put("msgPutTotalYesterdayMorning", Long.toString(tr.putYesterdayMorning()));
        m.put("msgGetTotalYesterdayMorning", Long.toString(tr.getYesterdayMorning()));
        m.put("sendThreadPoolQueueSize", Integer.toString(store.pendingAppends()));
        m.put("pullThreadPoolQueueSize", "0");
        m.put("drainState", drain.describe());
        m.put("retries", Long.toString(tr.retries()));
        m.put("deadLetters", Long.toString(tr.deadLetters()));
        m.put("delayedPending", Long.toString(schedule.pending() + timers.pending()));
        m.put("diskUsedRatio", String.format(java.util.Locale.ROOT, "%.4f", store.diskUsedRatio()));
        // RocketMQ's names for the same figure (mqadmin exportMetrics reads them): one disk holds log and queues here
        m.put("commitLogDiskRatio", m.get("diskUsedRatio"));
        m.put("consumeQueueDiskRatio", m.get("diskUsedRatio"));
        m.put("commitLogMaxOffset", Long.toString(store.commitLogWritePosition()));
        m.put("commitLogMinOffset", Long.toString(store.commitLogMinOffset()));
        m.put("flushDiskType", config.flushDiskType.name());
        m.put("pullParkedCount", Integer.toString(longPolling.parkedCount()));
        m.put("clientConnections", Integer.toString(clients.connectionCount()));
        m.put("binaryHeaderRequests", Long.toString(server.binaryRequestCount()));
        transactions.counters().forEach((k, v) -> m.put("transaction." + k, Long.toString(v)));
        return m;
    }
}
