package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testkit.QuiverCli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a standalone whose name server and broker enforce mutual TLS, with certificates the CLI made
 * ({@code quiver tls gen-dev-certs}), and the official 4.9.8 client: with TLS and a client certificate it produces and
 * consumes; in plain text it is refused with the reason; without a client certificate, or with one of another
 * authority, it is refused; nothing refused is stored.
 */
@Timeout(240)
class TlsIT extends QuiverIT {
    private static Path certs;

    protected static Map<String, String> brokerConf() {
        try {
            certs = Files.createTempDirectory("quiver-tls-it-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        QuiverCli.Result made = QuiverCli.run("tls", "gen-dev-certs", certs.toString());
        assertThat(made.exitCode()).as(made.toString()).isZero();
        QuiverCli.Result other = QuiverCli.run("tls", "gen-dev-certs", certs.resolve("other").toString());
        assertThat(other.exitCode()).as(other.toString()).isZero();
        return Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "tls.server.mode", "enforcing",
            "tls.server.certPath", certs.resolve("server.pem").toString(),
            "tls.server.keyPath", certs.resolve("server.key").toString(),
            "tls.server.need.client.auth", "require",
            "tls.server.trustCertPath", certs.resolve("ca.pem").toString(),
            // the broker's own connection to the name server presents a certificate too
            "tls.client.certPath", certs.resolve("client.pem").toString(),
            "tls.client.keyPath", certs.resolve("client.key").toString());
    }

    /** Runs {@link ChildRoundTrip} in a JVM of its own with {@code tlsProperties}; returns what it printed. */
    private List<String> childRoundTrip(String topic, int count, String... tlsProperties) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Drocketmq.client.logUseSlf4j=true"));
        cmd.addAll(List.of(tlsProperties));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ChildRoundTrip.class.getName(),
            quiver.namesrvAddr(), topic, Integer.toString(count)));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        onCleanup(child::destroyForcibly);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return lines;
    }

    private String[] withClientCertificate(Path dir) {
        return new String[] {"-Dtls.enable=true", "-Dtls.test.mode.enable=false",
            "-Dtls.client.certPath=" + dir.resolve("client.pem"), "-Dtls.client.keyPath=" + dir.resolve("client.key")};
    }

    @Test
    void aClientWithItsCertificateProducesAndConsumesOverTls() throws Exception {
        String topic = unique("Tls");
        List<String> lines = childRoundTrip(topic, 20, withClientCertificate(certs));
        assertThat(lines).as(String.join("\n", lines)).contains("DONE");
        List<String> received = lines.stream().filter(l -> l.startsWith("RECEIVED ")).toList();
        assertThat(received).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(received.get(i)).startsWith("RECEIVED binary-" + i + " k" + i + " ");
        }
        assertThat(storedOn(topic)).as("the seed and the 20").isEqualTo(21);
    }

    @Test
    void clientsWithoutACertificateOfTheTrustedAuthorityAreRefused() throws Exception {
        String topic = unique("TlsRefused");
        List<String> none = childRoundTrip(topic, 3, "-Dtls.enable=true");
        assertThat(none).as(String.join("\n", none)).noneMatch(l -> l.startsWith("RECEIVED") || l.equals("DONE"))
            .anyMatch(l -> l.startsWith("FAILED"));
        List<String> stranger = childRoundTrip(topic, 3, withClientCertificate(certs.resolve("other")));
        assertThat(stranger).as(String.join("\n", stranger))
            .noneMatch(l -> l.startsWith("RECEIVED") || l.equals("DONE")).anyMatch(l -> l.startsWith("FAILED"));
        assertThat(quiver.output()).anyMatch(l -> l.contains("TLS handshake failed"));
        assertThat(storedOn(topic)).as("nothing of theirs was stored").isZero();
    }

    /** Messages stored on {@code topic} since start, from the broker's /metrics. */
    private static long storedOn(String topic) throws Exception {
        String body = quiver.fetchMetrics(); // HTTPS: TLS is enforced
        return body.lines().filter(l -> l.startsWith("quiver_messages_in") && l.contains("\"" + topic + "\""))
            .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aPlainTextClientIsToldToUseTlsAndNothingIsStored() throws Exception {
        DefaultMQProducer plain = new DefaultMQProducer(unique("PG"));
        plain.setNamesrvAddr(quiver.namesrvAddr());
        plain.setInstanceName(unique("plain"));
        plain.setSendMsgTimeout(5_000);
        plain.start();
        onCleanup(plain::shutdown);
        String topic = unique("TlsPlain");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> plain.send(new Message(topic, "x".getBytes())))
            .isInstanceOf(org.apache.rocketmq.client.exception.MQClientException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused, not left to time out")
            .isLessThan(Duration.ofSeconds(5));
        // logged, at most one refusal a second (other tests' refused handshakes may have had this second)
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(1_100)).until(() -> {
            try {
                plain.send(new Message(topic, "x".getBytes()));
            } catch (RuntimeException | org.apache.rocketmq.client.exception.MQClientException refusedAgain) {
                // as expected (or the connection the port closed after its answer, when the client reuses it)
            }
            return quiver.output().stream().anyMatch(l -> l.contains("plain-text client reached a TLS-only port"));
        });
        assertThat(storedOn(topic)).isZero();
    }
}
