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

    @Test
    void metricsListenOnLoopbackByDefault() throws Exception {
        BrokerConfig c = new BrokerConfig();
        assertThat(c.metricsPromExporterHost).isEqualTo("127.0.0.1");
        c.bindAddress = "0.0.0.0";
        c.listenPort = freePort();
        c.haListenPort = freePort();
        c.grpcServerPort = -1;
        c.namesrvAddr = "";
        c.metricsPromExporterPort = freePort();
        c.storePathRootDir = dir.resolve("store");
        c.mappedFileSizeCommitLog = 16 * 1024 * 1024;
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
}
