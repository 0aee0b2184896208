package io.quiver.protocol;

/**
 * Bytes from a peer that do not form a valid command or header. The message says what was wrong in
 * words a person can act on; the remoting layer answers with an error or closes the connection.
 */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
