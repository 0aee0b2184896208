package io.quiver.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.netty.channel.local.LocalAddress;
import io.quiver.protocol.RequestCode;
import io.quiver.remoting.LocalConnector;
import io.quiver.remoting.RequestHandler;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC endpoint of a broker: RocketMQ 5's MessagingService on one port, TLS and plain text together, speaking
 * remoting to the broker over in-process connections (one per gRPC client). Calls run on the gRPC transport's event
 * loops and never block: every broker call completes asynchronously.
 */
public final class GrpcEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GrpcEndpoint.class);
    /** Requests over this size are refused by gRPC (RESOURCE_EXHAUSTED) before they are read. */
    static final int INBOUND_MARGIN_BYTES = 1024 * 1024;
    static final long IDLE_CONNECTION_SECONDS = 120;

    /**
     * Where and how to listen. {@code tlsCertPath}/{@code tlsKeyPath} (PEM) give the certificate; without them a
     * self-signed one is made at start, as RocketMQ's proxy does in its default test mode. {@code tlsEnable} false
     * serves plain text only; {@code tlsOnly} closes plain-text connections (tls.server.mode=enforcing).
     */
    public record Config(String bindAddress, int port, boolean tlsEnable, String tlsCertPath, String tlsKeyPath,
                         boolean tlsOnly) {
        public Config(String bindAddress, int port, boolean tlsEnable, String tlsCertPath, String tlsKeyPath) {
            this(bindAddress, port, tlsEnable, tlsCertPath, tlsKeyPath, false);
        }
    }

    private final Config config;
    private final BrokerView broker;
    private final LocalAddress brokerAddress;
    private final io.netty.channel.EventLoopGroup brokerLoop;
    private CallLoops loops;
    private LocalConnector connector;
    private ClientSessions sessions;
    private ScheduledExecutorService housekeeping;
    private Server server;

    public GrpcEndpoint(Config config, BrokerView broker, LocalAddress brokerAddress) {
        this(config, broker, brokerAddress, null);
    }

    /**
     * {@code brokerLoop}: the broker's event loop for in-process connections ({@code RemotingServer.localLoop()}), so
     * both ends of each client's connection share it; null: loops of the endpoint's own.
     */
    public GrpcEndpoint(Config config, BrokerView broker, LocalAddress brokerAddress,
                        io.netty.channel.EventLoopGroup brokerLoop) {
        this.config = config;
        this.broker = broker;
        this.brokerAddress = brokerAddress;
        this.brokerLoop = brokerLoop;
    }

    public void start() {
        Map<Integer, RequestHandler> fromBroker = Map.of(
            RequestCode.CHECK_TRANSACTION_STATE, (ctx, req) -> {
                ClientSession s = ClientSessions.of(ctx.channel());
                if (s != null) {
                    ProducerService.checkTransaction(s, req);
                }
            },
            RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (ctx, req) -> { }); // POP consumers do not rebalance
        connector = brokerLoop != null
            ? new LocalConnector("quiver-grpc", brokerAddress, fromBroker, brokerLoop, false, ch -> { })
            : new LocalConnector("quiver-grpc", brokerAddress, fromBroker, 2, ch -> { });
        sessions = new ClientSessions(connector, Clock.systemUTC());
        HandleRenewals renewals = new HandleRenewals(sessions, Clock.systemUTC());
        sessions.onRemove(renewals::forget);
        RouteService routes = new RouteService(broker, RouteService.endpointsOf("127.0.0.1", config.port()));
        loops = new CallLoops(Math.max(2, Runtime.getRuntime().availableProcessors()));
        java.util.concurrent.Executor fallback = brokerLoop != null ? brokerLoop : Runnable::run;
        MessagingService service = new MessagingService(sessions, routes, new ClientService(sessions, broker),
            new ProducerService(sessions, broker, () -> loops.current(fallback)),
            new ConsumerService(sessions, broker, renewals, () -> loops.current(fallback)), new OffsetService(sessions));
        InetSocketAddress at = new InetSocketAddress(config.bindAddress(), config.port());
        NettyServerBuilder b = loops.configure(NettyServerBuilder.forAddress(at))
            .directExecutor()
            .maxInboundMessageSize(broker.maxMessageSize() + INBOUND_MARGIN_BYTES)
            .maxConnectionIdle(IDLE_CONNECTION_SECONDS, TimeUnit.SECONDS)
            .protocolNegotiator(new TlsOrPlaintext(config.tlsEnable() ? sslContextInBackground() : null,
                config.tlsEnable() && config.tlsOnly()))
            .addService(ServerInterceptors.intercept(service, ClientMetadata.INTERCEPTOR, new Authentication(broker)));
        try {
            server = b.build().start();
        } catch (java.io.IOException e) {
            close();
            throw new IllegalStateException("the gRPC endpoint cannot listen on " + at + ": " + e.getMessage(), e);
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quiver-grpc-sessions");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(guarded(() -> {
            int n = sessions.expire();
            if (n > 0) {
                log.info("forgot {} idle gRPC client(s)", n);
            }
        }), 10, 10, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(guarded(renewals::renewDue), 1, 1, TimeUnit.SECONDS);
        log.info("gRPC endpoint listening on {} ({})", server.getListenSockets(), config.tlsEnable()
            ? "TLS and plain text" : "plain text");
    }

    /** {@code task}, logging what it throws so that its schedule goes on. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("gRPC housekeeping failed: {}", e.toString(), e);
            }
        };
    }

    public int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** gRPC clients known now. */
    public int clients() {
        return sessions == null ? 0 : sessions.size();
    }

    /** The TLS context, made on a thread of its own so that start-up does not wait for a key pair. */
    private java.util.concurrent.CompletableFuture<SslContext> sslContextInBackground() {
        java.util.concurrent.CompletableFuture<SslContext> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(sslContext());
            } catch (RuntimeException e) {
                log.error("the gRPC endpoint serves no TLS: {}", e.getMessage());
                f.completeExceptionally(e);
            }
        }, "quiver-grpc-tls");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private SslContext sslContext() {
        try {
            if (config.tlsCertPath() != null && !config.tlsCertPath().isBlank()) {
                return GrpcSslContexts.forServer(new File(config.tlsCertPath()), new File(config.tlsKeyPath())).build();
            }
            @SuppressWarnings("deprecation")
            io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate cert =
                new io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate("localhost", "EC", 256);
            return GrpcSslContexts.forServer(cert.certificate(), cert.privateKey()).build();
        } catch (Exception e) {
            throw new IllegalStateException("the gRPC endpoint's TLS certificate cannot be loaded: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.shutdownNow();
            }
        }
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (sessions != null) {
            sessions.closeAll();
        }
        if (connector != null) {
            connector.close();
        }
        if (loops != null) {
            loops.close();
        }
    }
}
