package io.quiver.broker.config;

/** A broker's part in its group, with RocketMQ's names ({@code brokerRole}). */
public enum BrokerRole {
    /** A master that acknowledges a send once it is stored here (and forced, with SYNC_FLUSH). */
    ASYNC_MASTER,
    /** A master that acknowledges a send once a replica has stored it too. */
    SYNC_MASTER,
    /** A replica: stores what its master ships, serves reads, refuses writes. */
    SLAVE
}
