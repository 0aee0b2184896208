package io.quiver.it;

import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import io.quiver.testkit.SyncLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bench tier (never run by default): the cost of TLS on sync:64, {@code mvn -B verify -pl it -Dtest=TlsBench
 * -DexcludedTestTags=none -Dsurefire.failIfNoSpecifiedTests=false}. One standalone in plain text and the official
 * 4.9.8 producer, then one with {@code tls.server.mode=enforcing} (certificates from {@code quiver tls gen-dev-certs})
 * and the producer with {@code setUseTLS(true)}, each after 30 s of the same load; prints both and their ratios.
 */
@Tag("bench")
@Timeout(900)
class TlsBench {
    static final long WARMUP_MILLIS = Long.getLong("quiver.bench.warmup", 30_000);
    static final long MEASURE_MILLIS = Long.getLong("quiver.bench.duration", 15_000);

    static SyncLoad.Figures run(boolean tls) throws Exception {
        Path dir = Files.createTempDirectory("quiver-tls-bench-");
        Path certs = dir.resolve("certs");
        QuiverCli.Result made = QuiverCli.run("tls", "gen-dev-certs", certs.toString());
        if (made.exitCode() != 0) {
            throw new IllegalStateException(made.toString());
        }
        Map<String, String> conf = tls ? Map.of("tls.server.mode", "enforcing",
            "tls.server.certPath", certs.resolve("server.pem").toString(),
            "tls.server.keyPath", certs.resolve("server.key").toString()) : Map.of("tls.server.mode", "disabled");
        try (QuiverProcess quiver = new QuiverProcess(dir, conf).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_tlsbench");
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setInstanceName(tls ? "tls" : "plain");
            p.setUseTLS(tls);
            p.setSendMsgTimeout(10_000);
            p.start();
            try {
                return SyncLoad.run(quiver.pid(), 64, 1024, WARMUP_MILLIS, MEASURE_MILLIS,
                    body -> p.send(new Message("TlsBench", body)).getSendStatus() == SendStatus.SEND_OK);
            } finally {
                p.shutdown();
            }
        }
    }

    @Test
    void theCostOfTlsOnSyncSends() throws Exception {
        SyncLoad.Figures plain = run(false);
        System.out.println("RESULT sync:64 plain text: " + plain);
        SyncLoad.Figures tls = run(true);
        System.out.println("RESULT sync:64 TLS: " + tls);
        System.out.println("RESULT TLS/plain: " + tls.ratiosTo(plain));
    }
}
