package io.quiver.replication;

/** A shipping-protocol frame that cannot be decoded, or a peer that breaks the protocol. */
public final class ReplicationException extends RuntimeException {
    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
