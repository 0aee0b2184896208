package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: Quiver on a real 64 MiB tmpfs that the test fills. Writes are refused with a clear
 * error (never a crash), stored messages stay readable, and writes resume by themselves once space is
 * freed. Skipped where the test may not mount a file system.
 */
@Timeout(180)
class DiskFullIT {

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void fullDiskRefusesWritesKeepsReadsAndRecovers() throws Exception {
        Path mnt = Files.createTempDirectory("quiver-small-disk-");
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt.toString()),
            "mounting a tmpfs needs root; the fake-disk unit test (RetentionTest) covers this behaviour");
        try {
            Path filler = mnt.resolve("filler");
            try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                f.write(new byte[50 * 1024 * 1024]); // 78 % used before the broker writes anything
            }
            try (QuiverProcess quiver = new QuiverProcess(mnt.resolve("data"), Map.of(
                "mappedFileSizeCommitLog", Integer.toString(4 * 1024 * 1024),
                "maxMessageSize", Integer.toString(256 * 1024),
                "mappedFileSizeConsumeQueue", "20000")).start()) {
                DefaultMQProducer p = new DefaultMQProducer("PG_disk");
                p.setNamesrvAddr(quiver.namesrvAddr());
                p.setInstanceName("disk-producer");
                p.setRetryTimesWhenSendFailed(0);
                p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE); // the bytes must really reach the disk
                p.start();
                String topic = "DiskTopic";
                p.send(new Message(topic, "seed".getBytes()));
                await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
                MessageQueue q = p.fetchPublishMessageQueues(topic).get(0);

                List<String> stored = new ArrayList<>();
                MQBrokerException refusal = null;
                byte[] chunk = new byte[100 * 1024];
                for (int i = 0; i < 400 && refusal == null; i++) {
                    try {
                        SendResult r = p.send(new Message(topic, ("disk-" + i + "|" + new String(chunk)).getBytes()), q);
                        stored.add("disk-" + i);
                        assertThat(r.getQueueOffset()).isNotNegative();
                    } catch (MQBrokerException e) {
                        refusal = e;
                    }
                }
                assertThat(refusal).as("the broker refused a write once the disk filled").isNotNull();
                assertThat(refusal.getResponseCode()).isEqualTo(14); // SERVICE_NOT_AVAILABLE: producers go elsewhere
                assertThat(refusal.getErrorMessage()).contains("disk").contains("full");
                assertThat(quiver.isAlive()).isTrue();

                DefaultLitePullConsumer c = new DefaultLitePullConsumer("CG_disk");
                c.setNamesrvAddr(quiver.namesrvAddr());
                c.setInstanceName("disk-consumer");
                c.setAutoCommit(false);
                c.start();
                MessageQueue cq = new MessageQueue(topic, q.getBrokerName(), q.getQueueId());
                c.assign(List.of(cq));
                c.seekToBegin(cq);
                List<String> read = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (read.size() < stored.size() && System.currentTimeMillis() < deadline) {
                    for (MessageExt m : c.poll(500)) {
                        String b = new String(m.getBody());
                        if (b.startsWith("disk-")) {
                            read.add(b.substring(0, b.indexOf('|')));
                        }
                    }
                }
                assertThat(read).as("reads keep working on a full disk").containsExactlyElementsOf(stored);

                Files.delete(filler);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    try {
                        p.send(new Message(topic, "after-cleanup".getBytes()), q);
                        return true;
                    } catch (MQBrokerException e) {
                        return false;
                    }
                });
                c.shutdown();
                p.shutdown();
            }
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    /**
     * A replica's disk fills while a SYNC_MASTER is under sends: the master keeps answering every send within
     * syncFlushTimeout (FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE once the replica cannot store, the message
     * stored on the master either way), and once space returns the replica catches up and holds every message.
     */
    @Test
    void aFullDiskOnAReplicaNeverBlocksItsMasterAndTheReplicaCatchesUpOnceFreed() throws Exception {
        Path mnt = Files.createTempDirectory("quiver-small-replica-disk-");
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt.toString()),
            "mounting a tmpfs needs root");
        Path root = Files.createTempDirectory("quiver-replica-disk-");
        try {
            Path filler = mnt.resolve("filler");
            try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
                f.write(new byte[46 * 1024 * 1024]);
            }
            Map<String, String> files = Map.of("mappedFileSizeCommitLog", Integer.toString(4 * 1024 * 1024),
                "maxMessageSize", Integer.toString(256 * 1024), "mappedFileSizeConsumeQueue", "20000");
            Map<String, String> master = new java.util.HashMap<>(files);
            master.putAll(Map.of("brokerName", "broker-df", "brokerRole", "SYNC_MASTER", "syncFlushTimeout", "1500"));
            Map<String, String> replica = new java.util.HashMap<>(files);
            replica.putAll(Map.of("brokerName", "broker-df", "brokerRole", "SLAVE", "brokerId", "1"));
            try (QuiverProcess ns = QuiverProcess.namesrv(root.resolve("ns")).start();
                 QuiverProcess m = QuiverProcess.broker(root.resolve("master"), ns.namesrvAddr(), master).start();
                 QuiverProcess r = QuiverProcess.broker(mnt.resolve("replica"), ns.namesrvAddr(), replica).start()) {
                DefaultMQProducer p = new DefaultMQProducer("PG_replica_disk");
                p.setNamesrvAddr(ns.namesrvAddr());
                p.setInstanceName("replica-disk-producer");
                p.setRetryTimesWhenSendFailed(0);
                p.setSendMsgTimeout(15_000);
                p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
                p.start();
                String topic = "ReplicaDiskTopic";
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() ->
                    p.send(new Message(topic, "probe".getBytes())).getSendStatus() == SendStatus.SEND_OK);

                java.util.Random rnd = new java.util.Random(3);
                Map<String, byte[]> sent = new java.util.LinkedHashMap<>(); // offset message id -> body
                List<SendStatus> statuses = new ArrayList<>();
                int notOkInARow = 0;
                long slowest = 0;
                for (int i = 0; i < 600 && notOkInARow < 12; i++) {
                    byte[] body = new byte[128 * 1024];
                    rnd.nextBytes(body);
                    long t0 = System.nanoTime();
                    SendResult res = p.send(new Message(topic, body));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(ms).as("send %d answered within syncFlushTimeout and a margin", i).isLessThan(5_000);
                    slowest = Math.max(slowest, ms);
                    statuses.add(res.getSendStatus());
                    sent.put(res.getOffsetMsgId(), body); // stored on the master whatever the status
                    notOkInARow = res.getSendStatus() == SendStatus.SEND_OK ? 0 : notOkInARow + 1;
                }
                assertThat(statuses).contains(SendStatus.SEND_OK);
                assertThat(notOkInARow).as("the replica's disk filled: sends no longer acknowledged by it").isEqualTo(12);
                assertThat(statuses).allMatch(st -> st == SendStatus.SEND_OK || st == SendStatus.FLUSH_SLAVE_TIMEOUT
                    || st == SendStatus.SLAVE_NOT_AVAILABLE);
                assertThat(m.isAlive()).isTrue();
                assertThat(r.isAlive()).isTrue();

                long freed = System.nanoTime();
                Files.delete(filler);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    p.send(new Message(topic, "after".getBytes())).getSendStatus() == SendStatus.SEND_OK);
                System.out.printf("replica disk full: %d sends of 128 KiB, %s; slowest answer %d ms; SEND_OK again %d ms "
                    + "after space was freed%n", statuses.size(), statuses.stream().collect(java.util.stream.Collectors
                        .groupingBy(st -> st, java.util.TreeMap::new, java.util.stream.Collectors.counting())), slowest,
                    (System.nanoTime() - freed) / 1_000_000);
                org.apache.rocketmq.client.impl.MQClientAPIImpl api =
                    p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                for (Map.Entry<String, byte[]> e : sent.entrySet()) {
                    long offset = org.apache.rocketmq.common.message.MessageDecoder.decodeMessageId(e.getKey()).getOffset();
                    assertThat(api.viewMessage(r.brokerAddr(), offset, 5_000).getBody()).as("message at %d on the replica",
                        offset).isEqualTo(e.getValue());
                }
                p.shutdown();
            }
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }
}
