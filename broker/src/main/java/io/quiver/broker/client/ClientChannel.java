package io.quiver.broker.client;

import io.netty.channel.Channel;
import io.quiver.protocol.LanguageCode;

/** One client connection in a group, with when it last sent a heartbeat. */
public final class ClientChannel {
    private final Channel channel;
    private final String clientId;
    private final LanguageCode language;
    private final int version;
    private volatile long lastUpdateMillis;

    public ClientChannel(Channel channel, String clientId, LanguageCode language, int version, long nowMillis) {
        this.channel = channel;
        this.clientId = clientId;
        this.language = language;
        this.version = version;
        this.lastUpdateMillis = nowMillis;
    }

    public Channel channel() {
        return channel;
    }

    public String clientId() {
        return clientId;
    }

    public LanguageCode language() {
        return language;
    }

    public int version() {
        return version;
    }

    public long lastUpdateMillis() {
        return lastUpdateMillis;
    }

    void touch(long nowMillis) {
        lastUpdateMillis = nowMillis;
    }

    public String remoteAddress() {
        return io.quiver.remoting.LocalPeer.describe(channel).replaceFirst("^/", "");
    }
}
