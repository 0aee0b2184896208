package io.quiver.broker;

import io.quiver.broker.config.BrokerConfig;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a broker out of service without failing a send: the name servers are told that its topics are no
 * longer writable, producers pick that up with their next route refresh and send elsewhere, and the
 * drain ends once no send has arrived for {@code drainQuietMillis}, or after {@code drainMaxWaitMillis}
 * at the latest. Sends that still arrive meanwhile are stored and answered as usual.
 *
 * <p>Send handlers on any thread call {@link #sendArrived()} (one volatile write). {@link #drain} runs on
 * the thread that asks for it (the shutdown hook, or the drain request's own thread) and is idempotent:
 * a second caller waits for the first to finish.
 */
public final class DrainService {
    private static final Logger log = LoggerFactory.getLogger(DrainService.class);
    /** How often the wait checks whether sends have stopped. */
    static final long POLL_MILLIS = 100;

    public enum State { SERVING, DRAINING, DRAINED }

    private final BrokerConfig config;
    private final LongSupplier nanoClock;
    private volatile long lastSendNanos;
    private volatile State state = State.SERVING;
    private volatile long drainStartNanos;

    DrainService(BrokerConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
        this.lastSendNanos = nanoClock.getAsLong() - TimeUnit.DAYS.toNanos(1);
    }

    /** Called by the send path for every send request. */
    public void sendArrived() {
        lastSendNanos = nanoClock.getAsLong();
    }

    public State state() {
        return state;
    }

    /** A line for people: the state, and while draining, how long since the last send. */
    public String describe() {
        State s = state;
        if (s != State.DRAINING) {
            return s.name();
        }
        long now = nanoClock.getAsLong();
        return String.format("DRAINING: last send %.1f s ago, draining for %.1f s of at most %.1f s",
            (now - lastSendNanos) / 1e9, (now - drainStartNanos) / 1e9, config.drainMaxWaitMillis / 1e3);
    }

    /**
     * Removes write permission at the name servers (through {@code advertiseReadOnly}) and waits until
     * producers have moved away. Returns once drained; later calls return at once.
     */
    public synchronized void drain(Runnable advertiseReadOnly) {
        if (state == State.DRAINED) {
            return;
        }
        state = State.DRAINING;
        drainStartNanos = nanoClock.getAsLong();
        log.info("draining: write permission removed at the name servers; waiting for producers to send elsewhere "
            + "(at most {} ms, done after {} ms without sends)", config.drainMaxWaitMillis, config.drainQuietMillis);
        try {
            advertiseReadOnly.run();
        } catch (RuntimeException e) {
            log.warn("could not tell every name server that this broker is read-only: {}", e.toString());
        }
        long deadline = drainStartNanos + TimeUnit.MILLISECONDS.toNanos(config.drainMaxWaitMillis);
        long quiet = TimeUnit.MILLISECONDS.toNanos(config.drainQuietMillis);
        try {
            while (true) {
                long now = nanoClock.getAsLong();
                if (now - lastSendNanos >= quiet) {
                    log.info("drained: no send in the last {} ms", config.drainQuietMillis);
                    break;
                }
                if (now - deadline >= 0) {
                    log.warn("drain wait ended after {} ms while sends still arrive (last {} ms ago); the remaining "
                        + "producers will retry on other brokers", config.drainMaxWaitMillis,
                        TimeUnit.NANOSECONDS.toMillis(now - lastSendNanos));
                    break;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.DRAINED;
    }
}
