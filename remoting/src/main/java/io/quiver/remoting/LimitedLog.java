package io.quiver.remoting;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * At most one log line a second for one kind of event that a peer can cause at will (refusals, bad handshakes), so
 * that a flood of them cannot flood the log: each line says how many were left out since the last one.
 */
public final class LimitedLog {
    static final long INTERVAL_MILLIS = 1_000;

    private final AtomicLong lastLogged = new AtomicLong();
    private final LongAdder leftOut = new LongAdder();

    /**
     * Whether this event may be logged now; if so, {@link #leftOutSuffix} says how many were not. Any thread.
     */
    public boolean admit() {
        long now = System.currentTimeMillis();
        long last = lastLogged.get();
        if (now - last >= INTERVAL_MILLIS && lastLogged.compareAndSet(last, now)) {
            return true;
        }
        leftOut.increment();
        return false;
    }

    /** " (and N more not logged)" for the events left out since the last admitted one, or "". */
    public String leftOutSuffix(String what) {
        long more = leftOut.sumThenReset();
        return more > 0 ? " (and " + more + " more " + what + " not logged)" : "";
    }
}
