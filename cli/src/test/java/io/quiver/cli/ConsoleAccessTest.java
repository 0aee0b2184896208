package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.acl.AclFile;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: who may use the console, and the bounded history behind its sparklines. */
@Tag("unit")
class ConsoleAccessTest {
    @TempDir
    Path dir;

    private ConsoleAccess access() throws Exception {
        Path f = dir.resolve("plain_acl.yml");
        Files.writeString(f, "accounts:\n  - accessKey: admin-key\n    secretKey: admin-secret\n    admin: true\n"
            + "  - accessKey: plain-key\n    secretKey: plain-secret\n    admin: false\n");
        return new ConsoleAccess(new AclFile(f));
    }

    private static String basic(String ak, String sk) {
        return "Basic " + Base64.getEncoder().encodeToString((ak + ":" + sk).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutCredentialsOnlyTheConsolesOwnHostMayReadAndNobodyMayChange() throws Exception {
        ConsoleAccess a = access();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        InetAddress other = InetAddress.getByName("192.0.2.7");
        assertThat(a.decide(loopback, "127.0.0.1:8080", null, false).allowed()).isTrue();
        assertThat(a.decide(loopback, "127.0.0.1:8080", null, false).canWrite()).isFalse();
        assertThat(a.decide(loopback, "127.0.0.1:8080", null, true)).extracting(ConsoleAccess.Decision::status).isEqualTo(401);
        assertThat(a.decide(other, "192.0.2.1:8080", null, false).status()).isEqualTo(401);
        assertThat(a.decide(other, "192.0.2.1:8080", null, false).reason()).contains("from another host");
        // a page of another site whose name now points at this host (DNS rebinding) is no local reader
        assertThat(a.decide(loopback, "attacker.example:8080", null, false).status()).isEqualTo(401);
        assertThat(a.decide(loopback, null, null, false).status()).isEqualTo(401);
        assertThat(a.decide(loopback, "localhost:8080", null, false).allowed()).isTrue();
        assertThat(a.decide(loopback, "[::1]:8080", null, false).allowed()).isTrue();
    }

    @Test
    void anAdminAccountMayDoEverythingFromAnywhereOthersAreRefusedWithTheReason() throws Exception {
        ConsoleAccess a = access();
        InetAddress other = InetAddress.getByName("192.0.2.7");
        ConsoleAccess.Decision ok = a.decide(other, "console.example", basic("admin-key", "admin-secret"), true);
        assertThat(ok.allowed()).isTrue();
        assertThat(ok.canWrite()).isTrue();
        assertThat(ok.accessKey()).isEqualTo("admin-key");
        assertThat(a.decide(other, "console.example", basic("admin-key", "wrong"), false).status()).isEqualTo(401);
        assertThat(a.decide(other, "console.example", basic("nobody", "x"), false).status()).isEqualTo(401);
        ConsoleAccess.Decision plain = a.decide(other, "console.example", basic("plain-key", "plain-secret"), false);
        assertThat(plain.status()).isEqualTo(403);
        assertThat(plain.reason()).contains("not an admin account");
        assertThat(a.decide(other, "console.example", "Bearer abc", false).status()).isEqualTo(401);
        assertThat(a.decide(other, "console.example", "Basic %%%", false).status()).isEqualTo(401);
        assertThat(new ConsoleAccess(null).decide(other, "console.example", basic("admin-key", "admin-secret"), false).reason())
            .contains("no accounts");
    }

    @Test
    void theHistoryKeepsAnHourOfSamplesAndABoundedNumberOfSeries() {
        ConsoleHistory h = new ConsoleHistory(() -> null);
        for (int i = 0; i < ConsoleHistory.POINTS + 40; i++) {
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("tps.in", (double) i);
            for (int s = 0; s < ConsoleHistory.MAX_SERIES + 10; s++) {
                v.put("lag.g" + s, 1.0);
            }
            h.record(1000L * i, v);
        }
        var json = h.json();
        assertThat(json.path("times")).hasSize(ConsoleHistory.POINTS);
        assertThat(json.path("times").get(0).asLong()).isEqualTo(40_000);
        assertThat(json.path("series").size()).isEqualTo(ConsoleHistory.MAX_SERIES);
        List<Double> in = new java.util.ArrayList<>();
        json.path("series").path("tps.in").forEach(n -> in.add(n.asDouble()));
        assertThat(in).hasSize(ConsoleHistory.POINTS).startsWith(40.0).endsWith((double) ConsoleHistory.POINTS + 39);
    }
}
