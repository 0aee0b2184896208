package io.quiver.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;

/**
 * Refuses, with PERMISSION_DENIED and the reason, every call the broker's access control does not accept
 * ({@link BrokerView#grpcAccess}): the SDKs sign each call in the {@code authorization} header, over the value of
 * {@code x-mq-date-time}. An accepted call carries what its caller may do in its {@link io.grpc.Context}
 * ({@link #grant()}), which each RPC checks against the topic and group it names.
 */
final class Authentication implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DATE_TIME = Metadata.Key.of("x-mq-date-time", Metadata.ASCII_STRING_MARSHALLER);

    private final BrokerView broker;

    Authentication(BrokerView broker) {
        this.broker = broker;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String ip = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress() : "127.0.0.1";
        BrokerView.Access access;
        try {
            access = broker.grpcAccess(headers.get(AUTHORIZATION), headers.get(DATE_TIME), ip);
        } catch (RuntimeException e) {
            access = new BrokerView.Access("the call could not be checked: " + e.getMessage(), null);
        }
        if (access.refusal() != null) {
            call.close(Status.PERMISSION_DENIED.withDescription(access.refusal()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(GRANT, access.grant()), call, headers,
            next);
    }

    private static final io.grpc.Context.Key<Grant> GRANT = io.grpc.Context.key("quiver-grant");

    /** What the caller of the current call may do ({@link Grant#ALL} outside a call that passed this interceptor). */
    static Grant grant() {
        Grant g = GRANT.get();
        return g != null ? g : Grant.ALL;
    }
}
