package io.quiver.it;

import io.quiver.testkit.QuiverProcess;
import io.quiver.testkit.SyncLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bench tier (never run by default): the cost of ACL on sync:64, {@code mvn -B verify -pl it -Dtest=AclBench
 * -DexcludedTestTags=none -Dsurefire.failIfNoSpecifiedTests=false}. One standalone without ACL and the official 4.9.8
 * producer unsigned, then one with {@code aclEnable=true} and the producer signing with {@code AclClientRPCHook} (an
 * account with PUB on the topic), each after 30 s of the same load; prints both and their ratios.
 */
@Tag("bench")
@Timeout(900)
class AclBench {
    static final long WARMUP_MILLIS = Long.getLong("quiver.bench.warmup", 30_000);
    static final long MEASURE_MILLIS = Long.getLong("quiver.bench.duration", 15_000);

    static SyncLoad.Figures run(boolean acl) throws Exception {
        Path dir = Files.createTempDirectory("quiver-acl-bench-");
        Path file = dir.resolve("plain_acl.yml");
        Files.writeString(file, """
            accounts:
              - accessKey: benchProducer
                secretKey: bench-secret
                defaultTopicPerm: DENY
                defaultGroupPerm: SUB
                topicPerms:
                  - AclBench=PUB
              - accessKey: benchBroker
                secretKey: bench-broker-secret
                admin: true
            """);
        Map<String, String> conf = acl ? Map.of("aclEnable", "true", "aclFile", file.toString(),
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"benchBroker\",\"secretKey\":\"bench-broker-secret\"}") : Map.of();
        try (QuiverProcess quiver = new QuiverProcess(dir, conf).start()) {
            DefaultMQProducer p = acl ? new DefaultMQProducer("PG_aclbench", new AclClientRPCHook(new SessionCredentials(
                "benchProducer", "bench-secret"))) : new DefaultMQProducer("PG_aclbench");
            p.setNamesrvAddr(quiver.namesrvAddr());
            p.setSendMsgTimeout(10_000);
            p.start();
            try {
                return SyncLoad.run(quiver.pid(), 64, 1024, WARMUP_MILLIS, MEASURE_MILLIS,
                    body -> p.send(new Message("AclBench", body)).getSendStatus() == SendStatus.SEND_OK);
            } finally {
                p.shutdown();
            }
        }
    }

    @Test
    void theCostOfAclOnSyncSends() throws Exception {
        SyncLoad.Figures open = run(false);
        System.out.println("RESULT sync:64 without ACL: " + open);
        SyncLoad.Figures signed = run(true);
        System.out.println("RESULT sync:64 with ACL, signed: " + signed);
        System.out.println("RESULT ACL/no ACL: " + signed.ratiosTo(open));
    }
}
