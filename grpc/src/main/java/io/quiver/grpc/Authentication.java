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
 * ({@link BrokerView#grpcRefusal}): the SDKs sign each call in the {@code authorization} header, over the value of
 * {@code x-mq-date-time}.
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
        String refusal;
        try {
            refusal = broker.grpcRefusal(headers.get(AUTHORIZATION), headers.get(DATE_TIME), ip);
        } catch (RuntimeException e) {
            refusal = "the call could not be checked: " + e.getMessage();
        }
        if (refusal != null) {
            call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
