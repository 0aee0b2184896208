package io.quiver.remoting;

import io.quiver.protocol.RemotingCommand;
import java.net.InetSocketAddress;

/**
 * Decides, before a request reaches its handler, whether it may be served (access control). A refusal is answered with
 * NO_PERMISSION and the reason as remark; the handler never sees the request. Requests over in-process connections
 * (the gRPC endpoint's, which checks its own callers) are not asked about.
 */
@FunctionalInterface
public interface RequestGuard {
    /** Null when {@code request} from {@code from} may be served; otherwise why not (no secret in it). */
    String refusal(RemotingCommand request, InetSocketAddress from);
}
