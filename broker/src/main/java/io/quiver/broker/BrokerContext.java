package io.quiver.broker;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.QueueLockTable;
import io.quiver.broker.handler.LongPollingService;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.remoting.RemotingServer;
import io.quiver.store.MessageStore;

/** What request handlers may use of the broker: its parts, each with its own thread-safety contract. */
public interface BrokerContext {
    BrokerConfig config();

    MessageStore store();

    TopicTable topics();

    TopicResolver topicResolver();

    SubscriptionGroupTable groups();

    ConsumerOffsetTable offsets();

    ClientRegistry clients();

    QueueLockTable locks();

    LongPollingService longPolling();

    RemotingServer server();

    io.quiver.broker.transaction.TransactionService transactions();

    io.quiver.broker.delay.ScheduleService schedule();

    io.quiver.broker.delay.TimerService timers();

    /** Message traffic counters (per topic, totals, TPS). */
    io.quiver.broker.metrics.Traffic traffic();

    /** Latency histograms and the Prometheus endpoint. */
    io.quiver.broker.metrics.MetricsEndpoint metrics();

    /** Drain state; the send path reports each send to it. */
    DrainService drainService();

    /** Re-registers with every name server soon (after a topic change), without waiting. */
    void registerWithNameServersSoon();

    /** The advertised address's bytes, as embedded in records and message ids. */
    byte[] storeHostBytes();
}
