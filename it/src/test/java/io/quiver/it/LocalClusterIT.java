package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: {@code quiver local-cluster} as a newcomer runs it: every part starts as its own process, a
 * master is elected, killing it brings another within seconds, and stopping the command stops every process.
 */
@Timeout(180)
class LocalClusterIT {
    /** Below the ephemeral range the other tests' free ports come from. */
    private static final int BASE_PORT = 21_000;

    @Test
    void aLocalClusterFailsOverAndStopsAsAWhole() throws Exception {
        Path dir = Files.createTempDirectory("quiver-local-cluster-");
        Path out = dir.resolve("local-cluster.out");
        Process lc = new ProcessBuilder(Path.of(System.getProperty("quiver.dist"), "bin", "quiver").toString(),
            "local-cluster", "--dir", dir.toString(), "--base-port", Integer.toString(BASE_PORT), "--namesrvs", "1",
            "--replicas", "2").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            String namesrv = "127.0.0.1:" + BASE_PORT;
            String controllers = "127.0.0.1:" + (BASE_PORT + 24);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                QuiverCli.run("cluster", "--namesrv", namesrv).out().matches("(?s).*broker-a +0 +127\\.0\\.0\\.1.*"));
            String table = Files.readString(out);
            String first = masterAddr(namesrv);
            Matcher m = Pattern.compile("broker-a-\\d +" + Pattern.quote(first) + " +(\\d+)").matcher(table);
            assertThat(m.find()).as(table).isTrue();
            ProcessHandle master = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
            // the replica must be in sync before the master goes, or no one may take over
            await().atMost(Duration.ofSeconds(60)).until(() ->
                QuiverCli.run("controller", "status", "--controller", controllers).out().contains("[1,2]"));
            master.destroyForcibly();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                String now = masterAddr(namesrv);
                return now != null && !now.equals(first);
            });
            // every controller applied both elections (its Prometheus endpoint, which local-cluster turns on)
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + (BASE_PORT + 44) + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("quiver_controller_elections_total 2.0",
                    "quiver_controller_group_master_epoch{broker=\"broker-a\",cluster=\"LocalCluster\"} 2.0");
            });
            List<ProcessHandle> children = lc.descendants().toList();
            assertThat(children).hasSizeGreaterThanOrEqualTo(4); // name server, controllers, the live broker
            lc.destroy(); // as Ctrl-C would
            assertThat(lc.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            lc.descendants().forEach(ProcessHandle::destroyForcibly);
            lc.destroyForcibly();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String masterAddr(String namesrv) {
        Matcher m = Pattern.compile("broker-a +0 +(\\S+)").matcher(QuiverCli.run("cluster", "--namesrv", namesrv).out());
        return m.find() ? m.group(1) : null;
    }
}
