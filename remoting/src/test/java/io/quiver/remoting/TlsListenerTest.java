package io.quiver.remoting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.tls.DevCertificates;
import io.quiver.remoting.tls.ServerTls;
import io.quiver.remoting.tls.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: a remoting listener in each TLS mode, with Quiver's own client: what it serves, what it refuses and how
 * (a reply that says why, or a closed connection), mutual TLS, and certificates replaced while it runs.
 */
@Timeout(60)
class TlsListenerTest {
    @TempDir
    Path dir;

    private final AtomicInteger handled = new AtomicInteger();
    private RemotingServer server;
    private ServerTls serverTls;
    private DevCertificates.Issued ca;

    @BeforeEach
    void certificates() {
        ca = DevCertificates.authority("test CA");
        ca.write(dir, "ca");
        DevCertificates.server(ca, "test server").write(dir, "server");
        DevCertificates.client(ca, "test client", Instant.now(), Duration.ofDays(1)).write(dir, "client");
        DevCertificates.client(ca, "expired client", Instant.now().minus(Duration.ofDays(3)), Duration.ofDays(1))
            .write(dir, "expired");
        DevCertificates.client(DevCertificates.authority("someone else's CA"), "stranger", Instant.now(),
            Duration.ofDays(1)).write(dir, "stranger");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String start(Map<String, String> settings) {
        server = new RemotingServer("tls-test", "127.0.0.1", 0, 1 << 20);
        server.register(7, (ctx, req) -> {
            handled.incrementAndGet();
            ctx.reply(ResponseCode.SUCCESS, "served");
        }, null);
        serverTls = ServerTls.start("tls-test", TlsSettings.from(settings::get));
        server.tls(serverTls);
        server.start();
        return "127.0.0.1:" + server.port();
    }

    private Map<String, String> files(String mode) {
        Map<String, String> m = new HashMap<>();
        m.put("tls.server.mode", mode);
        m.put("tls.server.certPath", dir.resolve("server.pem").toString());
        m.put("tls.server.keyPath", dir.resolve("server.key").toString());
        return m;
    }

    private static SslContext clientTls(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(extra);
        m.put("tls.enable", "true");
        return ServerTls.clientContext(TlsSettings.from(m::get));
    }

    private static RemotingCommand call(RemotingClient client, String addr) throws Exception {
        return client.invoke(addr, RemotingCommand.request(7), 5_000).get(10, TimeUnit.SECONDS);
    }

    @Test
    void enforcingServesTlsAndAnswersPlainTextWithTheReason() throws Exception {
        String addr = start(files("enforcing"));
        try (RemotingClient tls = new RemotingClient("tls", clientTls(Map.of()));
             RemotingClient plain = new RemotingClient("plain")) {
            assertThat(call(tls, addr).remark()).isEqualTo("served");
            RemotingCommand refused = call(plain, addr);
            assertThat(refused.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(refused.remark()).contains("TLS connections only").contains("tls.enable=true");
            assertThat(handled.get()).as("the plain request never reached its handler").isEqualTo(1);
        }
    }

    @Test
    void permissiveServesBothOnOnePortAndMakesItsOwnCertificateWithoutFiles() throws Exception {
        String addr = start(Map.of("tls.server.mode", "permissive"));
        try (RemotingClient tls = new RemotingClient("tls", clientTls(Map.of()));
             RemotingClient plain = new RemotingClient("plain")) {
            assertThat(call(tls, addr).remark()).isEqualTo("served");
            assertThat(call(plain, addr).remark()).isEqualTo("served");
            assertThat(handled.get()).isEqualTo(2);
        }
    }

    @Test
    void disabledClosesATlsHandshakeAndServesPlainText() throws Exception {
        String addr = start(Map.of("tls.server.mode", "disabled"));
        try (RemotingClient tls = new RemotingClient("tls", clientTls(Map.of()));
             RemotingClient plain = new RemotingClient("plain")) {
            assertThatThrownBy(() -> call(tls, addr)).hasRootCauseInstanceOf(Exception.class);
            assertThat(call(plain, addr).remark()).isEqualTo("served");
            assertThat(handled.get()).isEqualTo(1);
        }
    }

    @Test
    void mutualTlsServesOnlyClientsWithACertificateOfTheTrustedAuthority() throws Exception {
        Map<String, String> s = files("enforcing");
        s.put("tls.server.need.client.auth", "require");
        s.put("tls.server.trustCertPath", dir.resolve("ca.pem").toString());
        String addr = start(s);
        try (RemotingClient withCert = new RemotingClient("with-cert", clientTls(clientCert("client")));
             RemotingClient without = new RemotingClient("without", clientTls(Map.of()));
             RemotingClient expired = new RemotingClient("expired", clientTls(clientCert("expired")));
             RemotingClient stranger = new RemotingClient("stranger", clientTls(clientCert("stranger")))) {
            assertThat(call(withCert, addr).remark()).isEqualTo("served");
            for (RemotingClient refused : new RemotingClient[] {without, expired, stranger}) {
                assertThatThrownBy(() -> call(refused, addr)).isInstanceOf(Exception.class);
            }
            assertThat(handled.get()).isEqualTo(1);
        }
    }

    private Map<String, String> clientCert(String name) {
        return Map.of("tls.client.certPath", dir.resolve(name + ".pem").toString(),
            "tls.client.keyPath", dir.resolve(name + ".key").toString());
    }

    @Test
    void replacedCertificateFilesAreServedToNewConnectionsAfterAReload() throws Exception {
        String addr = start(files("enforcing"));
        assertThat(serverTls.reloadIfChanged()).as("nothing changed yet").isFalse();
        Map<String, String> trustNew = Map.of("tls.client.authServer", "true",
            "tls.client.trustCertPath", dir.resolve("new-ca.pem").toString());
        DevCertificates.Issued newCa = DevCertificates.authority("new CA");
        newCa.write(dir, "new-ca");
        try (RemotingClient verifying = new RemotingClient("verifying", clientTls(trustNew))) {
            assertThatThrownBy(() -> call(verifying, addr)).as("the old certificate is not signed by the new CA")
                .isInstanceOf(Exception.class);
        }
        DevCertificates.Issued replaced = DevCertificates.server(newCa, "renewed server");
        Path staging = Files.createDirectory(dir.resolve("staging"));
        replaced.write(staging, "server");
        Files.move(staging.resolve("server.key"), dir.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging.resolve("server.pem"), dir.resolve("server.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(serverTls.reloadIfChanged()).isTrue();
        assertThat(serverTls.reloadIfChanged()).as("nothing changed since").isFalse();
        try (RemotingClient verifying = new RemotingClient("verifying", clientTls(trustNew))) {
            assertThat(call(verifying, addr).remark()).isEqualTo("served");
        }
    }

    @Test
    void unusableSettingsAreRefusedAtStartNamingTheKey() {
        Map<String, String> noKey = new HashMap<>(files("enforcing"));
        noKey.remove("tls.server.keyPath");
        assertThatThrownBy(() -> ServerTls.start("x", TlsSettings.from(noKey::get)))
            .hasMessageContaining("tls.server.keyPath");
        Map<String, String> missing = files("enforcing");
        missing.put("tls.server.certPath", dir.resolve("nothing.pem").toString());
        assertThatThrownBy(() -> ServerTls.start("x", TlsSettings.from(missing::get)))
            .hasMessageContaining("tls.server.certPath").hasMessageContaining("nothing.pem");
        Map<String, String> mutualWithoutTrust = files("enforcing");
        mutualWithoutTrust.put("tls.server.need.client.auth", "require");
        assertThatThrownBy(() -> ServerTls.start("x", TlsSettings.from(mutualWithoutTrust::get)))
            .hasMessageContaining("tls.server.trustCertPath");
        assertThatThrownBy(() -> TlsSettings.from(Map.of("tls.server.mode", "sometimes")::get))
            .hasMessageContaining("disabled, permissive or enforcing");
        Map<String, String> swapped = files("enforcing");
        swapped.put("tls.server.keyPath", dir.resolve("server.pem").toString());
        assertThatThrownBy(() -> ServerTls.start("x", TlsSettings.from(swapped::get)))
            .hasMessageContaining("cannot be used");
    }

    @Test
    void tlsConfigFileValuesWinOverTheSameKeysGivenElsewhere() throws Exception {
        Path file = dir.resolve("tls.properties");
        Files.writeString(file, "tls.server.mode=enforcing\ntls.server.need.client.auth=optional\n");
        TlsSettings s = TlsSettings.from(Map.of("tls.config.file", file.toString(), "tls.server.mode", "disabled")::get);
        assertThat(s.mode()).isEqualTo(io.quiver.remoting.tls.TlsMode.ENFORCING);
        assertThat(s.needClientAuth()).isEqualTo(io.netty.handler.ssl.ClientAuth.OPTIONAL);
        assertThatThrownBy(() -> TlsSettings.from(Map.of("tls.config.file", dir.resolve("none").toString())::get))
            .hasMessageContaining("tls.config.file");
    }
}
