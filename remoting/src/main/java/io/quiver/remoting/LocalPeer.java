package io.quiver.remoting;

import io.netty.channel.Channel;
import io.netty.channel.local.LocalAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Names the in-process connections of a {@link LocalConnector}. Such a connection has no socket, so the
 * address of the remote party it stands for (a gRPC client, say) travels in the id of its local address,
 * where the broker reads it back as that connection's remote address (a producer's born host, a consumer's
 * client address in {@code consumerConnection}).
 */
public final class LocalPeer {
    private static final String PREFIX = "quiver-peer/";

    private LocalPeer() {}

    /** The local address for the {@code seq}-th connection made on behalf of {@code peer}. */
    public static LocalAddress addressFor(InetSocketAddress peer, long seq) {
        String host = peer.getAddress() != null ? peer.getAddress().getHostAddress() : peer.getHostString();
        return new LocalAddress(PREFIX + host + "/" + peer.getPort() + "/" + seq);
    }

    private static final io.netty.util.AttributeKey<InetSocketAddress> PEER =
        io.netty.util.AttributeKey.valueOf("quiver.local.peer");

    /** The remote party of {@code channel}: its socket peer, the peer a local connection stands for, or null. */
    public static InetSocketAddress remoteOf(Channel channel) {
        java.net.SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress i) {
            return i;
        }
        InetSocketAddress known = channel.attr(PEER).get();
        if (known == null) {
            known = decode(a); // parsed once per connection, not once per request
            if (known != null) {
                channel.attr(PEER).set(known);
            }
        }
        return known;
    }

    /** The socket address {@code a} is or stands for; null when it is neither. */
    public static InetSocketAddress decode(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i;
        }
        if (a instanceof LocalAddress l && l.id().startsWith(PREFIX)) {
            String[] parts = l.id().substring(PREFIX.length()).split("/");
            if (parts.length >= 2) {
                try {
                    return new InetSocketAddress(parts[0], Integer.parseInt(parts[1]));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** {@code host:port} of the remote party of {@code channel}, or its raw address when it stands for none. */
    public static String describe(Channel channel) {
        InetSocketAddress a = remoteOf(channel);
        if (a != null) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return host + ":" + a.getPort();
        }
        return channel.remoteAddress() == null ? "" : channel.remoteAddress().toString();
    }
}
