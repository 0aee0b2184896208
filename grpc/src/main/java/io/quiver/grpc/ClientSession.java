package io.quiver.grpc;

import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.TelemetryCommand;
import io.grpc.stub.StreamObserver;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * One gRPC client (one {@code x-mq-client-id}): its settings from the Telemetry stream, that stream (where the
 * broker's questions to it go: transaction checks), and its in-process connection to the broker, which the broker
 * sees as the client itself (its producer and consumer registrations, its born host). Fields are written by the
 * gRPC threads serving the client's calls; the connection is opened once and re-opened when it dies.
 */
final class ClientSession {
    final String clientId;
    private volatile ClientMetadata metadata;
    private volatile Settings settings;
    private volatile StreamObserver<TelemetryCommand> telemetry;
    private volatile long lastSeenMillis;
    private CompletableFuture<Channel> link;

    ClientSession(String clientId, ClientMetadata metadata, long nowMillis) {
        this.clientId = clientId;
        this.metadata = metadata;
        this.lastSeenMillis = nowMillis;
    }

    ClientMetadata metadata() {
        return metadata;
    }

    void seen(ClientMetadata m, long nowMillis) {
        metadata = m;
        lastSeenMillis = nowMillis;
    }

    long lastSeenMillis() {
        return lastSeenMillis;
    }

    Settings settings() {
        return settings;
    }

    void settings(Settings s) {
        settings = s;
    }

    StreamObserver<TelemetryCommand> telemetry() {
        return telemetry;
    }

    void telemetry(StreamObserver<TelemetryCommand> t) {
        telemetry = t;
    }

    /** Forgets {@code t} if it is still the client's stream. */
    synchronized void telemetryEnded(StreamObserver<TelemetryCommand> t) {
        if (telemetry == t) {
            telemetry = null;
        }
    }

    /** Sends a command to the client over its Telemetry stream; false when it has none open. */
    boolean tell(TelemetryCommand cmd) {
        StreamObserver<TelemetryCommand> t = telemetry;
        if (t == null) {
            return false;
        }
        synchronized (t) {
            try {
                t.onNext(cmd);
                return true;
            } catch (RuntimeException e) {
                telemetryEnded(t);
                return false;
            }
        }
    }

    /** The connection to the broker, opened by {@code opener} when there is none or it died. */
    synchronized CompletableFuture<Channel> link(java.util.function.Supplier<CompletableFuture<Channel>> opener) {
        if (link != null && (!link.isDone() || (!link.isCompletedExceptionally() && link.join().isActive()))) {
            return link;
        }
        link = opener.get();
        return link;
    }

    /** Closes the connection to the broker (the broker then forgets the client's registrations). */
    synchronized void close() {
        if (link != null) {
            link.thenAccept(Channel::close);
            link = null;
        }
        StreamObserver<TelemetryCommand> t = telemetry;
        telemetry = null;
        if (t != null) {
            synchronized (t) {
                try {
                    t.onCompleted();
                } catch (RuntimeException ignored) {
                    // the stream was gone already
                }
            }
        }
    }
}
