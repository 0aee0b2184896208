package io.quiver.broker.send;

/** What the send path reports to the rest of the broker: drain tracking, metrics and traffic counters. */
public interface SendObserver {
    SendObserver NONE = new SendObserver() {
        @Override
        public void arrived() {
        }

        @Override
        public void stored(String topic, int messages, long bodyBytes, long startNanos) {
        }
    };

    /** A send arrived (before any check): the drain watches for producers still sending. */
    void arrived();

    /** A send was stored; {@code startNanos} is when it arrived ({@link System#nanoTime()}). */
    void stored(String topic, int messages, long bodyBytes, long startNanos);
}
