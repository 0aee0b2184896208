package io.quiver.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.remoting.Transport;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import io.quiver.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier (loopback sockets, one JVM): controller mode's wait. A send is confirmed only once every required
 * replica stored it; a required replica that is gone holds sends until it is no longer required; nothing is
 * confirmed without the lease; a set below minInSyncReplicas is refused; a replica refuses a master of an older
 * epoch than the one the controllers named.
 */
@Timeout(60)
class InSyncGateTest {
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

    private static PutResult send(MessageStore s, String body) {
        MessageDraft d = new MessageDraft();
        d.topic("T");
        d.queueId(0);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        d.body(b, 0, b.length);
        d.bornTimestamp(1);
        d.storePort(10911);
        d.storeHost(new byte[] {127, 0, 0, 1});
        return s.put(List.of(d), true).join();
    }

    @Test
    void sendsWaitForEveryRequiredReplicaAndForTheLease() {
        MessageStore master = store("m", false);
        master.beginEpoch(5);
        ShippingServer server = new ShippingServer(ID, master, "127.0.0.1", 0, Clock.SYSTEM);
        master.onPublished(server::wake);
        server.start(Transport.NIO);
        AtomicBoolean lease = new AtomicBoolean(true);
        master.replicateWith(server.inSyncGate(1_500, lease::get));
        String addr = "127.0.0.1:" + server.port();
        MessageStore r1 = store("r1", true);
        MessageStore r2 = store("r2", true);
        ReplicaLink l1 = new ReplicaLink(ID, 1, r1, () -> addr, Clock.SYSTEM).fenceBelow(5);
        ReplicaLink l2 = new ReplicaLink(ID, 2, r2, () -> addr, Clock.SYSTEM).fenceBelow(5);
        l1.start();
        l2.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.replicas().size() == 2);

        assertThat(send(master, "alone").status()).as("nobody required yet").isEqualTo(PutResult.Status.PUT_OK);

        server.requireReplicas(Set.of(1L, 2L), false).join();
        for (int i = 0; i < 20; i++) {
            PutResult r = send(master, "both-" + i);
            assertThat(r.status()).isEqualTo(PutResult.Status.PUT_OK);
            long end = master.commitLogWritePosition();
            assertThat(r1.commitLogWritePosition()).as("confirmed only once replica 1 has it").isGreaterThanOrEqualTo(end);
            assertThat(r2.commitLogWritePosition()).as("and replica 2").isGreaterThanOrEqualTo(end);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> master.confirmedPosition() == master.commitLogWritePosition());
        assertThat(master.confirmedMaxOffset("T", 0)).isEqualTo(master.maxOffset("T", 0)).isEqualTo(21);

        l2.close(); // a required replica is gone: sends wait for it, then time out unconfirmed
        await().atMost(Duration.ofSeconds(10)).until(() -> server.replicas().size() == 1);
        assertThat(send(master, "held").status()).isEqualTo(PutResult.Status.FLUSH_SLAVE_TIMEOUT);
        // consumers do not see it: a failover could still take it back
        assertThat(master.maxOffset("T", 0)).isEqualTo(22);
        assertThat(master.confirmedMaxOffset("T", 0)).isEqualTo(21);
        assertThat(master.getConfirmed("T", 0, 21, 32, 0, io.quiver.store.MessageFilter.ALL).status())
            .isEqualTo(io.quiver.store.GetResult.Status.OFFSET_OVERFLOW_ONE);
        assertThat(master.getConfirmed("T", 0, 20, 32, 0, io.quiver.store.MessageFilter.ALL).records()).hasSize(1);
        assertThat(master.get("T", 0, 21, 32, 0, io.quiver.store.MessageFilter.ALL).records())
            .as("the master's own services still read it").hasSize(1);

        server.requireReplicas(Set.of(1L), false).join(); // the controllers agreed it left
        await().atMost(Duration.ofSeconds(5)).until(() -> master.confirmedMaxOffset("T", 0) == 22);
        assertThat(send(master, "one").status()).isEqualTo(PutResult.Status.PUT_OK);

        lease.set(false);
        assertThat(send(master, "no lease").status()).isEqualTo(PutResult.Status.SLAVE_NOT_AVAILABLE);
        lease.set(true);

        server.requireReplicas(Set.of(1L), true).join();
        assertThat(send(master, "too few").status()).isEqualTo(PutResult.Status.IN_SYNC_REPLICAS_NOT_ENOUGH);
        server.requireReplicas(Set.of(1L), false).join();
        assertThat(send(master, "again").status()).isEqualTo(PutResult.Status.PUT_OK);

        // a replica told that the master of epoch 6 is at this address refuses this one, of epoch 5
        MessageStore r3 = store("r3", true);
        ReplicaLink l3 = new ReplicaLink(ID, 3, r3, () -> addr, Clock.SYSTEM).fenceBelow(6);
        l3.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> l3.status().lastRefusal() != null);
        assertThat(l3.status().lastRefusal()).contains("epoch 5", "epoch 6", "deposed");
        assertThat(l3.status().connected()).isFalse();
        assertThat(r3.commitLogWritePosition()).isZero();

        l1.close();
        l3.close();
        server.close();
        r1.close();
        r2.close();
        r3.close();
        master.close();
    }
}
