package io.quiver.remoting;

import io.quiver.protocol.RemotingCommand;

/**
 * Handles one request code. It answers through {@link RequestContext#reply}, now or later (a parked
 * long poll, a send waiting for its flush). A {@link io.quiver.protocol.ProtocolException} thrown here
 * becomes a SYSTEM_ERROR reply whose remark is the exception's message; any other exception is logged
 * and answered with SYSTEM_ERROR.
 */
@FunctionalInterface
public interface RequestHandler {
    void handle(RequestContext ctx, RemotingCommand request) throws Exception;
}
