package io.quiver.grpc;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.quiver.protocol.RemotingCommand;
import io.quiver.remoting.LocalConnector;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gRPC clients known to this endpoint, by client id, at most {@link #MAX_CLIENTS}. A client is forgotten when it
 * says it terminates, or after {@link #IDLE_MILLIS} without a call or an open Telemetry stream; its connection to
 * the broker closes with it, so the broker drops its registrations as it does a remoting client's.
 */
final class ClientSessions {
    static final int MAX_CLIENTS = 10_000;
    /** A client silent this long (the SDKs heartbeat every 10 s) is forgotten. */
    static final long IDLE_MILLIS = 120_000;
    static final AttributeKey<ClientSession> SESSION = AttributeKey.valueOf("quiver.grpc.session");

    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
    private final LocalConnector connector;
    private final Clock clock;
    private final java.util.List<java.util.function.Consumer<ClientSession>> onRemove =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    ClientSessions(LocalConnector connector, Clock clock) {
        this.connector = connector;
        this.clock = clock;
    }

    /** The caller's session, created on its first call; null when {@link #MAX_CLIENTS} are known already. */
    ClientSession of(ClientMetadata m) {
        long now = clock.millis();
        ClientSession s = sessions.get(m.clientId());
        if (s == null) {
            if (sessions.size() >= MAX_CLIENTS) {
                return null;
            }
            s = sessions.computeIfAbsent(m.clientId(), id -> new ClientSession(id, m, now));
        }
        s.seen(m, now);
        return s;
    }

    ClientSession find(String clientId) {
        return sessions.get(clientId);
    }

    /** Sends {@code request} to the broker as {@code s}'s client. */
    CompletableFuture<RemotingCommand> call(ClientSession s, RemotingCommand request, long timeoutMillis) {
        return link(s).thenCompose(ch -> LocalConnector.invoke(ch, request, timeoutMillis));
    }

    /** Sends {@code request} to the broker as {@code s}'s client, expecting no answer. */
    CompletableFuture<Void> tell(ClientSession s, RemotingCommand request) {
        return link(s).thenAccept(ch -> LocalConnector.invokeOneway(ch, request));
    }

    private CompletableFuture<Channel> link(ClientSession s) {
        return s.link(() -> connector.connect(s.metadata().remote()).thenApply(ch -> {
            ch.attr(SESSION).set(s);
            return ch;
        }));
    }

    /** Calls {@code listener} with every session forgotten. */
    void onRemove(java.util.function.Consumer<ClientSession> listener) {
        onRemove.add(listener);
    }

    /** Forgets {@code s} and closes its connection. */
    void remove(ClientSession s) {
        if (sessions.remove(s.clientId, s)) {
            onRemove.forEach(l -> l.accept(s));
        }
        s.close();
    }

    /** Forgets the clients idle for longer than {@link #IDLE_MILLIS}; returns how many. */
    int expire() {
        long now = clock.millis();
        int n = 0;
        for (ClientSession s : sessions.values()) {
            if (s.telemetry() == null && now - s.lastSeenMillis() > IDLE_MILLIS) {
                remove(s);
                n++;
            }
        }
        return n;
    }

    int size() {
        return sessions.size();
    }

    /** The session a broker connection belongs to, or null. */
    static ClientSession of(Channel ch) {
        return ch.attr(SESSION).get();
    }

    void closeAll() {
        for (ClientSession s : sessions.values()) {
            remove(s);
        }
    }
}
