package io.quiver.remoting;

import io.netty.channel.Channel;
import io.quiver.protocol.RemotingCommand;

/** Test access to {@link RequestContext}'s package-private constructor, so handlers can run on an EmbeddedChannel. */
public final class TestContexts {
    private TestContexts() {}

    public static RequestContext of(Channel channel, RemotingCommand request) {
        return new RequestContext(channel, request);
    }
}
