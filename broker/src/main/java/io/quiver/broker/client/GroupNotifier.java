package io.quiver.broker.client;

import io.netty.channel.Channel;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.remoting.RemotingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every live member of a consumer group to rebalance now (NOTIFY_CONSUMER_IDS_CHANGED, oneway;
 * a failure only delays the rebalance until the client's own 20 s timer). Any thread.
 */
public final class GroupNotifier {
    private static final Logger log = LoggerFactory.getLogger(GroupNotifier.class);

    private final ClientRegistry clients;
    private final RemotingServer server;

    public GroupNotifier(ClientRegistry clients, RemotingServer server) {
        this.clients = clients;
        this.server = server;
    }

    public void notifyGroup(String group) {
        ConsumerGroupState g = clients.consumerGroup(group);
        if (g == null) {
            return;
        }
        for (ClientChannel c : g.channels()) {
            Channel ch = c.channel();
            if (!ch.isActive()) {
                continue;
            }
            RemotingCommand n = RemotingCommand.request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED)
                .putExt("consumerGroup", group);
            try {
                server.invokeOneway(ch, n);
            } catch (RuntimeException e) {
                log.debug("could not notify {} of group {} change: {}", c.clientId(), group, e.toString());
            }
        }
    }
}
