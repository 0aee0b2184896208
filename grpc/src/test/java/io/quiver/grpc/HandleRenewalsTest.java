package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.LocalConnector;
import io.quiver.remoting.RemotingServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push consumers' messages stay invisible while held: renewed before their time ends, released with the newest handle. */
class HandleRenewalsTest {
    private RemotingServer broker;
    private LocalConnector connector;
    private final List<Map<String, String>> changes = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private MutableClock clock;
    private ClientSessions sessions;
    private HandleRenewals renewals;
    private ClientSession client;

    static final class MutableClock extends Clock {
        volatile long millis = 1_000_000;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @BeforeEach
    void start() {
        broker = new RemotingServer("fake-broker", "127.0.0.1", 0, 1 << 20);
        broker.register(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, (ctx, req) -> {
            changes.add(Map.copyOf(req.extFields()));
            gate.thenRun(() -> ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
                .putExt("popTime", clock.millis()).putExt("invisibleTime", req.extFields().get("invisibleTime"))));
        }, null);
        broker.start();
        clock = new MutableClock();
        connector = new LocalConnector("test", broker.listenLocally("renewals-" + System.nanoTime()), Map.of(), 1, ch -> { });
        sessions = new ClientSessions(connector, clock);
        renewals = new HandleRenewals(sessions, clock);
        client = sessions.of(new ClientMetadata("c1", "JAVA", "5.0.7", "", new InetSocketAddress("127.0.0.1", 5555)));
    }

    @AfterEach
    void stop() {
        sessions.closeAll();
        connector.close();
        broker.close();
    }

    private ReceiptHandle handle(long popTime) {
        return new ReceiptHandle(3, popTime, 60_000, 0, false, "broker-a", 1, 7, 4096);
    }

    @Test
    void aHeldMessageIsRenewedShortlyBeforeItsTimeEndsAndReleasedWithTheNewestHandle() throws Exception {
        ReceiptHandle first = handle(clock.millis());
        assertThat(renewals.hold(client, "G", "T", "M1", first)).isTrue();
        assertThat(renewals.renewDue()).as("50 s left: not due").isZero();
        clock.millis += 55_000;
        assertThat(renewals.renewDue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        assertThat(changes.get(0)).containsEntry("extraInfo", first.extraInfo())
            .containsEntry("invisibleTime", Long.toString(HandleRenewals.RENEW_MILLIS)).containsEntry("topic", "T");
        long renewedAt = clock.millis();
        await().atMost(Duration.ofSeconds(5)).until(() -> renewals.peek(client, "G", "M1").popTime() == renewedAt);
        assertThat(renewals.renewDue()).as("renewed for a minute: not due again").isZero();
        ReceiptHandle newest = renewals.release(client, "G", "M1", first).get();
        assertThat(newest).isEqualTo(first.renewed(renewedAt, HandleRenewals.RENEW_MILLIS));
        assertThat(newest.startOffset()).isEqualTo(7);
        assertThat(renewals.size()).isZero();
        assertThat(renewals.release(client, "G", "M1", first).get()).as("released once").isSameAs(first);
    }

    @Test
    void anAnswerDuringARenewalWaitsForItsHandle() throws Exception {
        gate = new CompletableFuture<>();
        ReceiptHandle first = handle(clock.millis());
        renewals.hold(client, "G", "T", "M1", first);
        clock.millis += 55_000;
        renewals.renewDue();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
        CompletableFuture<ReceiptHandle> released = renewals.release(client, "G", "M1", first);
        assertThat(released).isNotDone();
        gate.complete(null);
        assertThat(released.get().popTime()).isEqualTo(clock.millis());
    }

    @Test
    void aGoneClientsMessagesAreNoLongerHeldAndTheTableIsBounded() {
        renewals.hold(client, "G", "T", "M1", handle(clock.millis()));
        sessions.onRemove(renewals::forget);
        sessions.remove(client);
        assertThat(renewals.size()).isZero();
        ClientSession other = sessions.of(new ClientMetadata("c2", "JAVA", "5.0.7", "", new InetSocketAddress("127.0.0.1", 1)));
        for (int i = 0; i < HandleRenewals.MAX_TRACKED; i++) {
            renewals.hold(other, "G", "T", "M" + i, handle(clock.millis()));
        }
        assertThat(renewals.hold(other, "G", "T", "one-more", handle(clock.millis()))).isFalse();
        assertThat(renewals.size()).isEqualTo(HandleRenewals.MAX_TRACKED);
    }
}
