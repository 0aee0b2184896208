package io.quiver.store;

/** A store operation that failed for an operating reason (disk full, I/O error); the message says which. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
