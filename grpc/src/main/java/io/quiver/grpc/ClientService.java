package io.quiver.grpc;

import apache.rocketmq.v2.ClientType;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.NotifyClientTerminationRequest;
import apache.rocketmq.v2.NotifyClientTerminationResponse;
import apache.rocketmq.v2.Settings;
import apache.rocketmq.v2.TelemetryCommand;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.Json;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry, Heartbeat and NotifyClientTermination: a client's settings arrive on its Telemetry stream and are
 * answered there; each registers the client at the broker (a remoting HEART_BEAT over the client's own connection,
 * so the broker lists gRPC producers and consumers like any others), and termination unregisters it.
 */
final class ClientService {
    private static final Logger log = LoggerFactory.getLogger(ClientService.class);
    static final long BROKER_TIMEOUT_MILLIS = 3_000;

    private final ClientSessions sessions;
    private final BrokerView broker;

    ClientService(ClientSessions sessions, BrokerView broker) {
        this.sessions = sessions;
        this.broker = broker;
    }

    StreamObserver<TelemetryCommand> telemetry(ClientSession s, StreamObserver<TelemetryCommand> out) {
        s.telemetry(out);
        return new StreamObserver<>() {
            @Override
            public void onNext(TelemetryCommand cmd) {
                if (cmd.hasSettings()) {
                    settings(s, cmd.getSettings(), out);
                }
                // thread stack traces and verification results answer questions this broker does not ask yet
            }

            @Override
            public void onError(Throwable t) {
                s.telemetryEnded(out);
            }

            @Override
            public void onCompleted() {
                s.telemetryEnded(out);
                synchronized (out) {
                    try {
                        out.onCompleted();
                    } catch (RuntimeException ignored) {
                        // the client is gone already
                    }
                }
            }
        };
    }

    private void settings(ClientSession s, Settings settings, StreamObserver<TelemetryCommand> out) {
        Settings answer = ClientSettings.answer(settings, broker);
        if (answer == null) {
            synchronized (out) {
                out.onNext(TelemetryCommand.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                    "the settings name neither publishing nor subscription")).build());
            }
            return;
        }
        s.settings(settings);
        register(s).whenComplete((status, e) -> {
            TelemetryCommand.Builder reply = TelemetryCommand.newBuilder().setSettings(answer);
            reply.setStatus(e != null ? Statuses.ofFailure(e) : status);
            synchronized (out) {
                try {
                    out.onNext(reply.build());
                } catch (RuntimeException ignored) {
                    // the client went away meanwhile
                }
            }
        });
    }

    void heartbeat(ClientSession s, HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
        if (s.settings() == null) {
            reply(out, HeartbeatResponse.newBuilder().setStatus(Statuses.of(Code.UNRECOGNIZED_CLIENT_TYPE,
                "no settings of client " + s.clientId + " yet: open the Telemetry stream and send them first")).build());
            return;
        }
        register(s).whenComplete((status, e) -> reply(out, HeartbeatResponse.newBuilder()
            .setStatus(e != null ? Statuses.ofFailure(e) : status).build()));
    }

    void terminate(ClientSession s, NotifyClientTerminationRequest req, StreamObserver<NotifyClientTerminationResponse> out) {
        Settings settings = s.settings();
        RemotingCommand unregister = RemotingCommand.request(RequestCode.UNREGISTER_CLIENT)
            .putExt("clientID", s.clientId);
        if (req.hasGroup()) {
            unregister.putExt("consumerGroup", req.getGroup().getName());
        }
        CompletableFuture<?> sent = settings != null && settings.getClientType() != ClientType.CLIENT_TYPE_UNSPECIFIED
            ? sessions.call(s, unregister, BROKER_TIMEOUT_MILLIS) : CompletableFuture.completedFuture(null);
        sent.whenComplete((r, e) -> {
            sessions.remove(s);
            reply(out, NotifyClientTerminationResponse.newBuilder().setStatus(Statuses.OK).build());
        });
    }

    /** Registers the client at the broker with its current settings. */
    private CompletableFuture<apache.rocketmq.v2.Status> register(ClientSession s) {
        HeartbeatData hb = ClientSettings.heartbeat(s.clientId, s.settings());
        RemotingCommand req = RemotingCommand.request(RequestCode.HEART_BEAT).body(Json.encode(hb));
        req.language(LanguageCode.valueOf(s.metadata().remotingLanguage()));
        return sessions.call(s, req, BROKER_TIMEOUT_MILLIS).thenApply(resp -> {
            if (resp.code() != 0) {
                log.debug("heartbeat of gRPC client {} refused: {} {}", s.clientId, resp.code(), resp.remark());
                return Statuses.ofResponse(resp);
            }
            return Statuses.OK;
        });
    }

    static <T> void reply(StreamObserver<T> out, T response) {
        try {
            out.onNext(response);
            out.onCompleted();
        } catch (RuntimeException e) {
            log.debug("could not answer a gRPC call: {}", e.toString());
        }
    }
}
