package io.quiver.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who made a call, from the headers every RocketMQ 5 SDK sends ({@code x-mq-client-id}, {@code x-mq-language},
 * {@code x-mq-client-version}, {@code x-mq-namespace}) and the connection's peer address. The {@link #INTERCEPTOR}
 * puts it in the call's {@link Context}; {@link #current()} reads it there.
 */
public record ClientMetadata(String clientId, String language, String version, String namespace,
                             InetSocketAddress remote) {
    static final Metadata.Key<String> CLIENT_ID = key("x-mq-client-id");
    static final Metadata.Key<String> LANGUAGE = key("x-mq-language");
    static final Metadata.Key<String> VERSION = key("x-mq-client-version");
    static final Metadata.Key<String> NAMESPACE = key("x-mq-namespace");
    /** Longest client id accepted; the SDKs' ids are about 40 characters. */
    static final int MAX_CLIENT_ID_LENGTH = 256;

    private static final Context.Key<ClientMetadata> CONTEXT_KEY = Context.key("quiver-client");

    static final ServerInterceptor INTERCEPTOR = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            ClientMetadata m = new ClientMetadata(trim(headers.get(CLIENT_ID)), headers.get(LANGUAGE),
                headers.get(VERSION), headers.get(NAMESPACE), peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
            return Contexts.interceptCall(Context.current().withValue(CONTEXT_KEY, m), call, headers, next);
        }
    };

    /** The caller of the current call (never null inside a call that passed the interceptor). */
    static ClientMetadata current() {
        ClientMetadata m = CONTEXT_KEY.get();
        return m != null ? m : new ClientMetadata(null, null, null, null, peer(null));
    }

    /** The reason this caller cannot be served, or null: every RocketMQ 5 call must name its client. */
    String problem() {
        if (clientId == null || clientId.isBlank()) {
            return "the x-mq-client-id header is required (every RocketMQ 5 SDK sends it)";
        }
        if (clientId.length() > MAX_CLIENT_ID_LENGTH) {
            return "the x-mq-client-id header is longer than " + MAX_CLIENT_ID_LENGTH + " characters";
        }
        return null;
    }

    /** The remoting language code this caller's SDK maps to (Quiver records it with the client). */
    String remotingLanguage() {
        if (language == null) {
            return "OTHER";
        }
        return switch (language.toUpperCase(java.util.Locale.ROOT)) {
            case "JAVA", "CPP", "DOTNET", "PYTHON", "GO", "RUST", "NODE_JS", "PHP", "ERLANG", "RUBY" -> language.toUpperCase(java.util.Locale.ROOT);
            case "GOLANG" -> "GO";
            case "DOT_NET" -> "DOTNET";
            default -> "OTHER";
        };
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static InetSocketAddress peer(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
