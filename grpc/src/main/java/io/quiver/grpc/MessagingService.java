package io.quiver.grpc;

import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.NotifyClientTerminationRequest;
import apache.rocketmq.v2.NotifyClientTerminationResponse;
import apache.rocketmq.v2.QueryAssignmentRequest;
import apache.rocketmq.v2.QueryAssignmentResponse;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.TelemetryCommand;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;

/**
 * {@code apache.rocketmq.v2.MessagingService}: checks that the caller names itself, finds its session, and hands
 * the call to the service that owns it. Application errors are answered in the response's {@link Status}, as the
 * SDKs expect; only a Telemetry stream is refused with a gRPC error.
 */
final class MessagingService extends MessagingServiceGrpc.MessagingServiceImplBase {
    private final ClientSessions sessions;
    private final RouteService routes;
    private final ClientService clients;
    private final ProducerService producers;
    private final ConsumerService consumers;
    private final OffsetService offsets;

    MessagingService(ClientSessions sessions, RouteService routes, ClientService clients, ProducerService producers,
                     ConsumerService consumers, OffsetService offsets) {
        this.sessions = sessions;
        this.routes = routes;
        this.clients = clients;
        this.producers = producers;
        this.consumers = consumers;
        this.offsets = offsets;
    }

    /** The caller's session, or null after answering {@code out} with {@code refusal} of the reason. */
    private <T> ClientSession session(StreamObserver<T> out, Function<Status, T> refusal) {
        ClientMetadata m = ClientMetadata.current();
        String problem = m.problem();
        if (problem != null) {
            ClientService.reply(out, refusal.apply(Statuses.of(Code.CLIENT_ID_REQUIRED, problem)));
            return null;
        }
        ClientSession s = sessions.of(m);
        if (s == null) {
            ClientService.reply(out, refusal.apply(Statuses.of(Code.TOO_MANY_REQUESTS, "this broker serves "
                + ClientSessions.MAX_CLIENTS + " gRPC clients already")));
        }
        return s;
    }

    /**
     * Answers {@code out} with FORBIDDEN and returns true when the caller may not {@code need} {@code topic} or
     * subscribe as {@code group} (either may be null or empty: not asked).
     */
    private static <T> boolean forbidden(StreamObserver<T> out, Function<Status, T> refusal, String topic, Grant.Need need,
                                         String group) {
        Grant g = Authentication.grant();
        String why = topic == null || topic.isEmpty() ? null : g.refusal(topic, need);
        if (why == null && group != null && !group.isEmpty()) {
            why = g.refusal(io.quiver.protocol.message.TopicNames.retryTopic(group), Grant.Need.SUB);
        }
        if (why == null) {
            return false;
        }
        ClientService.reply(out, refusal.apply(Statuses.of(Code.FORBIDDEN, why)));
        return true;
    }

    /** Runs {@code work} with the caller's session, or answers {@code out} with why there is none. */
    private <T> void serve(StreamObserver<T> out, Function<Status, T> refusal, java.util.function.Consumer<ClientSession> work) {
        ClientSession s = session(out, refusal);
        if (s != null) {
            work.accept(s);
        }
    }

    @Override
    public void queryRoute(QueryRouteRequest req, StreamObserver<QueryRouteResponse> out) {
        if (forbidden(out, st -> QueryRouteResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.ANY, null)) {
            return;
        }
        if (session(out, st -> QueryRouteResponse.newBuilder().setStatus(st).build()) != null) {
            routes.route(req).thenAccept(r -> ClientService.reply(out, r));
        }
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
        if (forbidden(out, st -> HeartbeatResponse.newBuilder().setStatus(st).build(),
            null, Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> HeartbeatResponse.newBuilder().setStatus(st).build(), s -> clients.heartbeat(s, req, out));
    }

    @Override
    public void sendMessage(SendMessageRequest req, StreamObserver<SendMessageResponse> out) {
        if (forbidden(out, st -> SendMessageResponse.newBuilder().setStatus(st).build(),
            req.getMessagesCount() == 0 ? null : req.getMessages(0).getTopic().getName(), Grant.Need.PUB, null)) {
            return;
        }
        serve(out, st -> SendMessageResponse.newBuilder().setStatus(st).build(), s -> producers.send(s, req, out));
    }

    @Override
    public void queryAssignment(QueryAssignmentRequest req, StreamObserver<QueryAssignmentResponse> out) {
        if (forbidden(out, st -> QueryAssignmentResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        ClientSession s = session(out, st -> QueryAssignmentResponse.newBuilder().setStatus(st).build());
        if (s != null) {
            routes.assignment(req).thenAccept(r -> ClientService.reply(out, r));
        }
    }

    @Override
    public void receiveMessage(ReceiveMessageRequest req, StreamObserver<ReceiveMessageResponse> out) {
        if (forbidden(out, st -> ReceiveMessageResponse.newBuilder().setStatus(st).build(),
            req.getMessageQueue().getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        ClientMetadata m = ClientMetadata.current();
        String problem = m.problem();
        ClientSession s = problem == null ? sessions.of(m) : null;
        if (s == null) {
            out.onNext(ReceiveMessageResponse.newBuilder().setStatus(problem != null
                ? Statuses.of(Code.CLIENT_ID_REQUIRED, problem)
                : Statuses.of(Code.TOO_MANY_REQUESTS, "too many gRPC clients")).build());
            out.onCompleted();
            return;
        }
        consumers.receive(s, req, out);
    }

    @Override
    public void ackMessage(AckMessageRequest req, StreamObserver<AckMessageResponse> out) {
        if (forbidden(out, st -> AckMessageResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> AckMessageResponse.newBuilder().setStatus(st).build(), s -> consumers.ack(s, req, out));
    }

    @Override
    public void forwardMessageToDeadLetterQueue(ForwardMessageToDeadLetterQueueRequest req,
                                                StreamObserver<ForwardMessageToDeadLetterQueueResponse> out) {
        if (forbidden(out, st -> ForwardMessageToDeadLetterQueueResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> ForwardMessageToDeadLetterQueueResponse.newBuilder().setStatus(st).build(), s -> consumers.forwardToDeadLetterQueue(s, req, out));
    }

    @Override
    public void endTransaction(EndTransactionRequest req, StreamObserver<EndTransactionResponse> out) {
        if (forbidden(out, st -> EndTransactionResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.PUB, null)) {
            return;
        }
        serve(out, st -> EndTransactionResponse.newBuilder().setStatus(st).build(), s -> producers.endTransaction(s, req, out));
    }

    @Override
    public StreamObserver<TelemetryCommand> telemetry(StreamObserver<TelemetryCommand> out) {
        ClientMetadata m = ClientMetadata.current();
        String problem = m.problem();
        ClientSession s = problem == null ? sessions.of(m) : null;
        if (s == null) {
            out.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription(problem != null ? problem
                : "this broker serves " + ClientSessions.MAX_CLIENTS + " gRPC clients already").asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(TelemetryCommand value) { }

                @Override
                public void onError(Throwable t) { }

                @Override
                public void onCompleted() { }
            };
        }
        return clients.telemetry(s, out);
    }

    @Override
    public void notifyClientTermination(NotifyClientTerminationRequest req,
                                        StreamObserver<NotifyClientTerminationResponse> out) {
        if (forbidden(out, st -> NotifyClientTerminationResponse.newBuilder().setStatus(st).build(),
            null, Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> NotifyClientTerminationResponse.newBuilder().setStatus(st).build(), s -> clients.terminate(s, req, out));
    }

    @Override
    public void changeInvisibleDuration(ChangeInvisibleDurationRequest req,
                                        StreamObserver<ChangeInvisibleDurationResponse> out) {
        if (forbidden(out, st -> ChangeInvisibleDurationResponse.newBuilder().setStatus(st).build(),
            req.getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> ChangeInvisibleDurationResponse.newBuilder().setStatus(st).build(), s -> consumers.changeInvisibleDuration(s, req, out));
    }

    @Override
    public void pullMessage(apache.rocketmq.v2.PullMessageRequest req,
                            StreamObserver<apache.rocketmq.v2.PullMessageResponse> out) {
        if (forbidden(out, st -> apache.rocketmq.v2.PullMessageResponse.newBuilder().setStatus(st).build(),
            req.getMessageQueue().getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> apache.rocketmq.v2.PullMessageResponse.newBuilder().setStatus(st).build(), s -> offsets.pull(s, req, out));
    }

    @Override
    public void getOffset(apache.rocketmq.v2.GetOffsetRequest req, StreamObserver<apache.rocketmq.v2.GetOffsetResponse> out) {
        if (forbidden(out, st -> apache.rocketmq.v2.GetOffsetResponse.newBuilder().setStatus(st).build(),
            req.getMessageQueue().getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> apache.rocketmq.v2.GetOffsetResponse.newBuilder().setStatus(st).build(), s -> offsets.getOffset(s, req, out));
    }

    @Override
    public void updateOffset(apache.rocketmq.v2.UpdateOffsetRequest req,
                             StreamObserver<apache.rocketmq.v2.UpdateOffsetResponse> out) {
        if (forbidden(out, st -> apache.rocketmq.v2.UpdateOffsetResponse.newBuilder().setStatus(st).build(),
            req.getMessageQueue().getTopic().getName(), Grant.Need.SUB, req.getGroup().getName())) {
            return;
        }
        serve(out, st -> apache.rocketmq.v2.UpdateOffsetResponse.newBuilder().setStatus(st).build(), s -> offsets.updateOffset(s, req, out));
    }

    @Override
    public void queryOffset(apache.rocketmq.v2.QueryOffsetRequest req,
                            StreamObserver<apache.rocketmq.v2.QueryOffsetResponse> out) {
        if (forbidden(out, st -> apache.rocketmq.v2.QueryOffsetResponse.newBuilder().setStatus(st).build(),
            req.getMessageQueue().getTopic().getName(), Grant.Need.SUB, null)) {
            return;
        }
        serve(out, st -> apache.rocketmq.v2.QueryOffsetResponse.newBuilder().setStatus(st).build(), s -> offsets.queryOffset(s, req, out));
    }
}
