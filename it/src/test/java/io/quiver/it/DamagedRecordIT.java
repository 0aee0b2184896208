package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the flipped-byte scenario. Producers of the official client send on SYNC_FLUSH, the
 * broker is killed with SIGKILL, one byte is flipped inside the body of a record acknowledged about 150
 * messages before the end, and the broker restarts. Exactly that one message is lost: every other
 * acknowledged message is read back, and the broker's log names the damaged offset.
 */
@Timeout(300)
class DamagedRecordIT extends QuiverIT {

    private record Ack(long commitLogOffset, String body) {}

    @Test
    void aFlippedByteCostsOnlyTheMessageItHits() throws Exception {
        String topic = unique("Damage");
        ensureTopic(producer(), topic);
        DefaultMQProducer p = producer();
        p.setRetryTimesWhenSendFailed(0);
        AtomicInteger seq = new AtomicInteger();
        SendLoad load = new SendLoad(p, topic, 8, () -> "damage-" + seq.incrementAndGet() + "-" + "y".repeat(300));
        Thread.sleep(3_000);
        quiver.kill();
        List<Ack> acked = new ArrayList<>();
        for (SendLoad.Acked a : load.stop()) {
            acked.add(new Ack(MessageDecoder.decodeMessageId(a.result().getOffsetMsgId()).getOffset(), a.body()));
        }
        acked.sort(Comparator.comparingLong(Ack::commitLogOffset));
        assertThat(acked).as("acknowledged before the kill").hasSizeGreaterThan(500);
        Ack victim = acked.get(acked.size() - 150);
        flipByteInBody(victim);

        quiver.start();
        Set<String> read = new HashSet<>(readFromStart(topic, producer()).stored().values());
        Set<String> expected = new HashSet<>();
        acked.forEach(a -> expected.add(a.body()));
        expected.remove(victim.body());
        assertThat(read).as("the damaged message is not served").doesNotContain(victim.body());
        assertThat(read).as("every other acknowledged message is kept").containsAll(expected);
        String offset = Long.toString(victim.commitLogOffset());
        assertThat(quiver.output()).as("the log names the damaged offset")
            .anyMatch(line -> line.contains("damaged") && line.contains(offset));
        System.out.println("flipped byte: " + acked.size() + " acknowledged, " + (expected.size() - countMissing(read, expected))
            + " read back, the damaged one at commit-log offset " + offset + " lost; the log says: "
            + quiver.output().stream().filter(line -> line.contains("damaged") && line.contains(offset)).findFirst().orElse(""));
    }

    private static long countMissing(Set<String> read, Set<String> expected) {
        return expected.stream().filter(b -> !read.contains(b)).count();
    }

    /** Flips one byte in the middle of the victim's body, found in the commit-log segment that holds it. */
    private static void flipByteInBody(Ack victim) throws Exception {
        Path commitLog;
        try (Stream<Path> s = Files.walk(dataDir)) {
            commitLog = s.filter(x -> x.getFileName().toString().equals("commitlog") && Files.isDirectory(x))
                .findFirst().orElseThrow();
        }
        Path segment;
        try (Stream<Path> s = Files.list(commitLog)) {
            segment = s.filter(x -> Long.parseLong(x.getFileName().toString()) <= victim.commitLogOffset())
                .max(Comparator.naturalOrder()).orElseThrow();
        }
        long base = Long.parseLong(segment.getFileName().toString());
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            long at = victim.commitLogOffset() - base;
            f.seek(at);
            int size = f.readInt();
            byte[] record = new byte[size];
            f.seek(at);
            f.readFully(record);
            int bodyAt = new String(record, StandardCharsets.ISO_8859_1).indexOf(victim.body());
            assertThat(bodyAt).as("the body is inside the record").isPositive();
            long flip = at + bodyAt + victim.body().length() / 2;
            f.seek(flip);
            int b = f.read();
            f.seek(flip);
            f.write(b ^ 0x20);
        }
    }
}
