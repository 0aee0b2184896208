package io.quiver.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.broker.Broker;
import io.quiver.broker.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Nothing open by accident: a broker serves /metrics on loopback unless metricsPromExporterHost says otherwise. */
@Timeout(60)
class MetricsBindTest {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A broker of its own on free ports, without name servers or gRPC. */
    private BrokerConfig config() throws Exception {
        BrokerConfig c = new BrokerConfig();
        c.listenPort = freePort();
        c.haListenPort = freePort();
        c.grpcServerPort = -1;
        c.namesrvAddr = "";
        c.metricsPromExporterPort = freePort();
        c.storePathRootDir = dir.resolve("store");
        c.mappedFileSizeCommitLog = 16 * 1024 * 1024;
        return c;
    }

    @Test
    void metricsListenOnLoopbackByDefault() throws Exception {
        BrokerConfig c = config();
        assertThat(c.metricsPromExporterHost).isEqualTo("127.0.0.1");
        c.bindAddress = "0.0.0.0";
        Broker broker = new Broker(c);
        broker.start();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + c.metricsPromExporterPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("quiver_");
            String outside = c.brokerIP1;
            Assumptions.assumeTrue(outside != null && !outside.startsWith("127."), "no address but loopback here");
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(outside, c.metricsPromExporterPort), 2_000);
                }
            }).isInstanceOf(java.io.IOException.class);
            try (Socket s = new Socket()) { // while the broker's own port answers there
                s.connect(new InetSocketAddress(outside, c.listenPort), 2_000);
            }
        } finally {
            broker.close(false);
        }
    }

    @Test
    void withTlsEnforcedMetricsAreServedOverHttpsOnly() throws Exception {
        io.quiver.remoting.tls.DevCertificates.Issued ca = io.quiver.remoting.tls.DevCertificates.authority("test CA");
        io.quiver.remoting.tls.DevCertificates.server(ca, "metrics").write(dir, "server");
        BrokerConfig c = config();
        c.apply(java.util.Map.of("tls.server.mode", "enforcing",
            "tls.server.certPath", dir.resolve("server.pem").toString(),
            "tls.server.keyPath", dir.resolve("server.key").toString()));
        Broker broker = new Broker(c);
        broker.start();
        try {
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(trustAll).build().send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + c.metricsPromExporterPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("quiver_");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + c.metricsPromExporterPort + "/metrics")).timeout(java.time.Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        } finally {
            broker.close(false);
        }
    }
}
