package io.quiver.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.remoting.Transport;
import io.quiver.store.Clock;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import io.quiver.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier (loopback sockets, one JVM): a replica follows its master over the shipping protocol, catches up
 * from empty, follows new sends, resumes after its own restart and after the master's, and is refused with a
 * reason when it names another broker.
 */
@Timeout(60)
class ShippingTest {
    @TempDir
    Path dir;

    private static final ShippingServer.Identity ID = new ShippingServer.Identity("C", "broker-a");

    private MessageStore store(String name, boolean replica) {
        MessageStore s = new MessageStore(StoreConfig.defaults(dir.resolve(name)).withMaxMessageBytes(8 * 1024)
            .withSegmentBytes(64 * 1024).withIndexSize(1024, 4096), Clock.SYSTEM);
        s.replicaMode(replica);
        s.start();
        return s;
    }

    private static void send(MessageStore s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            MessageDraft d = new MessageDraft();
            d.topic("T");
            d.queueId(i % 2);
            byte[] b = ("m" + i + "-" + "y".repeat(i % 500)).getBytes(StandardCharsets.UTF_8);
            d.body(b, 0, b.length);
            d.bornTimestamp(1);
            d.storePort(10911);
            d.storeHost(new byte[] {127, 0, 0, 1});
            assertThat(s.put(List.of(d), true).join().status()).isEqualTo(PutResult.Status.PUT_OK);
        }
    }

    /** Every body of queue {@code queueId} of topic T, read as copies from the queue's first offset on. */
    private static List<String> bodies(MessageStore s, int queueId) {
        List<String> out = new ArrayList<>();
        for (long next = s.minOffset("T", queueId); next < s.maxOffset("T", queueId); ) {
            GetResult copies = s.getCopies("T", queueId, next, 64, 0, MessageFilter.ALL);
            copies.records().forEach(b -> out.add(new String(MessageRecord.decode(b, 0).body, StandardCharsets.UTF_8)));
            next = copies.nextBeginOffset();
        }
        return out;
    }

    private static void awaitCaughtUp(MessageStore master, MessageStore replica) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(replica.commitLogWritePosition()).isEqualTo(master.commitLogWritePosition());
            for (int q = 0; q < 2; q++) {
                assertThat(bodies(replica, q)).isEqualTo(bodies(master, q));
            }
        });
    }

    @Test
    void aReplicaCatchesUpFollowsAndResumesAfterRestarts() {
        MessageStore master = store("m", false);
        ShippingServer server = new ShippingServer(ID, master, "127.0.0.1", 0, Clock.SYSTEM);
        master.onPublished(server::wake);
        server.start(Transport.NIO);
        int port = server.port();
        send(master, 0, 300); // history before the replica exists
        MessageStore replica = store("r", true);
        ReplicaLink link = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + port, Clock.SYSTEM);
        link.start();
        awaitCaughtUp(master, replica);
        send(master, 300, 200); // live traffic
        awaitCaughtUp(master, replica);
        ShippingServer firstServer = server;
        MessageStore firstMaster = master;
        await().atMost(Duration.ofSeconds(5)).until(() -> firstServer.replicas().size() == 1
            && firstServer.replicas().get(0).ackedOffset() == firstMaster.commitLogWritePosition());
        assertThat(server.replicas().get(0).brokerId()).isEqualTo(1);
        assertThat(link.status().connected()).isTrue();

        link.close(); // the replica restarts and resumes from its own end
        replica.close();
        send(master, 500, 100);
        replica = store("r", true);
        link = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + port, Clock.SYSTEM);
        link.start();
        awaitCaughtUp(master, replica);

        server.close(); // the master restarts on the same port
        master.close();
        master = store("m", false);
        server = new ShippingServer(ID, master, "127.0.0.1", port, Clock.SYSTEM);
        master.onPublished(server::wake);
        server.start(Transport.NIO);
        send(master, 600, 100);
        awaitCaughtUp(master, replica);
        assertThat(bodies(replica, 0)).hasSize(350).startsWith("m0-").endsWith("m698-" + "y".repeat(198));

        link.close();
        server.close();
        replica.close();
        master.close();
    }

    /**
     * The master's disk loses a tail its replica already holds (a machine crash with ASYNC_FLUSH): the master starts a
     * new term where its log now ends and writes other records at those offsets; the replica, on reconnecting, is told
     * to cut the records of the lost term and then holds the master's log byte for byte.
     */
    @Test
    void aReplicaCutsTheRecordsOfATermItsMasterLostAndFollowsTheNewTerm() throws Exception {
        MessageStore master = store("m", false);
        master.beginEpoch();
        ShippingServer server = new ShippingServer(ID, master, "127.0.0.1", 0, Clock.SYSTEM);
        master.onPublished(server::wake);
        server.start(Transport.NIO);
        int port = server.port();
        MessageStore replica = store("r", true);
        ReplicaLink link = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + port, Clock.SYSTEM);
        link.start();
        send(master, 0, 200);
        awaitCaughtUp(master, replica);
        long cut = master.commitLogWritePosition();
        send(master, 200, 60);
        awaitCaughtUp(master, replica);
        long lostEnd = master.commitLogWritePosition();
        server.close();
        master.close();
        loseTail(dir.resolve("m"), cut, lostEnd);

        master = store("m", false);
        assertThat(master.commitLogWritePosition()).isEqualTo(cut); // recovery ends the log where the data ends
        assertThat(master.beginEpoch().epoch()).isEqualTo(2);
        send(master, 500, 90); // other records at the offsets the replica still holds
        server = new ShippingServer(ID, master, "127.0.0.1", port, Clock.SYSTEM);
        master.onPublished(server::wake);
        server.start(Transport.NIO);
        awaitCaughtUp(master, replica);
        for (int q = 0; q < 2; q++) {
            assertThat(bodies(replica, q)).noneMatch(b -> number(b) >= 200 && number(b) < 260).hasSize(145);
        }
        assertThat(replica.epochs()).isEqualTo(master.epochs());
        assertThat(link.status().lastRefusal()).isNull();
        send(master, 600, 20); // and it keeps following
        awaitCaughtUp(master, replica);

        link.close();
        server.close();
        replica.close();
        master.close();
        for (String f : list(dir.resolve("m").resolve("commitlog"))) {
            assertThat(java.nio.file.Files.readAllBytes(dir.resolve("r").resolve("commitlog").resolve(f))).as(f)
                .isEqualTo(java.nio.file.Files.readAllBytes(dir.resolve("m").resolve("commitlog").resolve(f)));
        }
    }

    @Test
    void aReplicaWhoseLogAnotherMasterWroteIsRefusedAndKeepsItsLog() {
        try (MessageStore first = store("m1", false); MessageStore replica = store("r", true)) {
            first.beginEpoch();
            ShippingServer server = new ShippingServer(ID, first, "127.0.0.1", 0, Clock.SYSTEM);
            first.onPublished(server::wake);
            server.start(Transport.NIO);
            ReplicaLink link = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + server.port(), Clock.SYSTEM);
            link.start();
            send(first, 0, 50);
            awaitCaughtUp(first, replica);
            link.close();
            server.close();
            long end = replica.commitLogWritePosition();
            try (MessageStore other = store("m2", false)) {
                other.beginEpoch(); // a fresh master of the same name: a log of its own
                send(other, 1000, 80);
                ShippingServer otherServer = new ShippingServer(ID, other, "127.0.0.1", 0, Clock.SYSTEM);
                otherServer.start(Transport.NIO);
                ReplicaLink again = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + otherServer.port(), Clock.SYSTEM);
                again.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> again.status().lastRefusal() != null);
                assertThat(again.status().lastRefusal()).contains("shares no master term").contains("data directory");
                assertThat(replica.commitLogWritePosition()).isEqualTo(end);
                assertThat(bodies(replica, 0)).hasSize(25).allMatch(b -> number(b) < 50);
                again.close();
                otherServer.close();
            }
        }
    }

    /** The message number in a body {@code m<number>-...}. */
    private static int number(String body) {
        return Integer.parseInt(body.substring(1, body.indexOf('-')));
    }

    private static List<String> list(Path d) throws java.io.IOException {
        try (var s = java.nio.file.Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * What a machine crash does to a log whose tail was never forced: the bytes of [from, to) are gone (zeros), and
     * the store did not stop cleanly, so its next start recovers by scanning.
     */
    private static void loseTail(Path storeDir, long from, long to) throws java.io.IOException {
        Path logDir = storeDir.resolve("commitlog");
        for (String name : list(logDir)) {
            long base = Long.parseLong(name);
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(logDir.resolve(name).toFile(), "rw")) {
                long segEnd = base + f.length();
                long a = Math.max(from, base);
                long b = Math.min(to, segEnd);
                if (a < b) {
                    f.seek(a - base);
                    f.write(new byte[(int) (b - a)]);
                }
            }
        }
        java.nio.file.Files.deleteIfExists(storeDir.resolve("checkpoint"));
        java.nio.file.Files.write(storeDir.resolve("abort"), new byte[0]);
    }

    @Test
    void aReplicaOfAnotherBrokerIsRefusedWithTheReason() {
        try (MessageStore master = store("m", false); MessageStore replica = store("r", true)) {
            ShippingServer server = new ShippingServer(ID, master, "127.0.0.1", 0, Clock.SYSTEM);
            server.start(Transport.NIO);
            ReplicaLink link = new ReplicaLink(new ShippingServer.Identity("C", "broker-b"), 1, replica,
                () -> "127.0.0.1:" + server.port(), Clock.SYSTEM);
            link.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> link.status().lastRefusal() != null);
            assertThat(link.status().lastRefusal()).contains("broker-b").contains("broker-a");
            assertThat(link.status().connected()).isFalse();
            assertThat(server.replicas()).isEmpty();
            link.close();
            server.close();
        }
    }

    @Test
    void framesCutAndDroppedByTheNetworkCostReconnectsNeverARecord() throws Exception {
        try (MessageStore master = store("m", false); MessageStore replica = store("r", true)) {
            ShippingServer server = new ShippingServer(ID, master, "127.0.0.1", 0, Clock.SYSTEM);
            master.onPublished(server::wake);
            server.start(Transport.NIO);
            send(master, 0, 400);
            try (CuttingProxy proxy = new CuttingProxy(server.port(), 42, 40_000)) {
                ReplicaLink link = new ReplicaLink(ID, 1, replica, () -> "127.0.0.1:" + proxy.port(), Clock.SYSTEM);
                link.start();
                send(master, 400, 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> proxy.cuts() >= 5);
                proxy.stopCutting();
                awaitCaughtUp(master, replica);
                assertThat(bodies(replica, 1)).hasSize(300).startsWith("m1-y").endsWith("m599-" + "y".repeat(99));
                link.close();
            }
            server.close();
        }
    }
}
