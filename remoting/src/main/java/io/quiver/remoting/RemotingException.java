package io.quiver.remoting;

/** A call that could not complete: connection refused or lost, timeout, too many outstanding calls. */
public class RemotingException extends RuntimeException {
    public RemotingException(String message) {
        super(message);
    }

    public RemotingException(String message, Throwable cause) {
        super(message, cause);
    }
}
