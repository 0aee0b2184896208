package io.quiver.broker.trace;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.TraceLog;
import java.util.concurrent.TimeUnit;

/**
 * The broker's trace, set up from its configuration: the trace store under {@code storePathRootDir/trace}, the
 * recorder fed by the index thread and the handlers, and the query handler. With {@code traceStoreEnable=false}
 * the tracer does nothing and the query answers that the store is off.
 */
public final class BrokerTracing implements AutoCloseable {
    private final TraceLog log;
    private final Tracer tracer;
    private final TraceHandler handler;

    private BrokerTracing(TraceLog log, Tracer tracer, TraceHandler handler) {
        this.log = log;
        this.tracer = tracer;
        this.handler = handler;
    }

    /** Sets the trace up for {@code store}; call before the store starts, so no stored record is missed. */
    public static BrokerTracing open(BrokerConfig config, MessageStore store) {
        if (!config.traceStoreEnable) {
            return new BrokerTracing(null, Tracer.NONE, new TraceHandler(config.brokerName, null, null));
        }
        TraceLog.Config c;
        try {
            c = new TraceLog.Config(config.storePathRootDir.resolve("trace"), config.traceStoreSegmentBytes,
                config.traceStoreMaxBytes, TimeUnit.HOURS.toMillis(config.traceStoreRetentionHours),
                config.traceStoreQueueCapacity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("traceStoreSegmentBytes/traceStoreMaxBytes: " + e.getMessage(), e);
        }
        TraceLog log = new TraceLog(c, Clock.SYSTEM);
        TraceRecorder recorder = new TraceRecorder(log, Clock.SYSTEM);
        store.onIndexed(recorder);
        return new BrokerTracing(log, recorder, new TraceHandler(config.brokerName,
            new TraceQuery(log, store, config.msgTraceTopicName), log));
    }

    public Tracer tracer() {
        return tracer;
    }

    public TraceHandler handler() {
        return handler;
    }

    /** The trace store, or null when it is off (metrics). */
    public TraceLog log() {
        return log;
    }

    public void start() {
        if (log != null) {
            log.start();
        }
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
