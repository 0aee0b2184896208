package io.quiver.broker.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.SubscriptionData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: the client registry reports membership and subscription changes, bounds members per group, and
 * forgets a connection when it closes or falls silent (closing it).
 */
@Timeout(20)
class ClientRegistryTest {
    static final long T0 = 1_700_000_000_000L;

    final ClientRegistry clients = new ClientRegistry(2);
    final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        return ch;
    }

    static ClientChannel member(EmbeddedChannel ch, String clientId, long now) {
        return new ClientChannel(ch, clientId, LanguageCode.JAVA, 409, now);
    }

    static HeartbeatData.ConsumerData consumer(String group, SubscriptionData... subs) {
        HeartbeatData.ConsumerData c = new HeartbeatData.ConsumerData();
        c.groupName = group;
        c.messageModel = "CLUSTERING";
        c.subscriptionDataSet.addAll(List.of(subs));
        return c;
    }

    @Test
    void membershipAndSubscriptionChangesAreReported() {
        EmbeddedChannel ch = channel();
        assertThat(clients.registerConsumer(consumer("G", SubscriptionData.ofTags("T", "a", 1)), member(ch, "C1", T0), T0))
            .isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.registerConsumer(consumer("G", SubscriptionData.ofTags("T", "a", 1)), member(ch, "C1", T0), T0))
            .isEqualTo(ClientRegistry.Outcome.UNCHANGED);
        assertThat(clients.registerConsumer(consumer("G", SubscriptionData.ofTags("T", "b", 2)), member(ch, "C1", T0), T0))
            .as("a newer subscription expression").isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.consumerGroup("G").subscription("T").subString).isEqualTo("b");
        assertThat(clients.registerConsumer(consumer("G", SubscriptionData.ofTags("U", "*", 3)), member(ch, "C1", T0), T0))
            .as("topic T dropped, U added").isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.consumerGroup("G").subscriptions()).containsOnlyKeys("U");
    }

    @Test
    void aGroupHoldsAtMostMaxClientsPerGroupMembers() {
        assertThat(clients.registerConsumer(consumer("G"), member(channel(), "C1", T0), T0)).isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.registerConsumer(consumer("G"), member(channel(), "C2", T0), T0)).isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.registerConsumer(consumer("G"), member(channel(), "C3", T0), T0))
            .isEqualTo(ClientRegistry.Outcome.TOO_MANY_CLIENTS);
        assertThat(clients.consumerGroup("G").clientIds()).containsExactlyInAnyOrder("C1", "C2");

        EmbeddedChannel p = channel();
        assertThat(clients.registerProducer("P", member(p, "C1", T0), T0)).isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.registerProducer("P", member(p, "C1", T0), T0)).isEqualTo(ClientRegistry.Outcome.UNCHANGED);
        assertThat(clients.registerProducer("P", member(channel(), "C2", T0), T0)).isEqualTo(ClientRegistry.Outcome.CHANGED);
        assertThat(clients.registerProducer("P", member(channel(), "C3", T0), T0))
            .isEqualTo(ClientRegistry.Outcome.TOO_MANY_CLIENTS);
        assertThat(clients.producers("P")).hasSize(2);
    }

    @Test
    void aClosedConnectionLeavesEveryGroup() {
        EmbeddedChannel ch = channel();
        EmbeddedChannel other = channel();
        clients.registerConsumer(consumer("G1"), member(ch, "C1", T0), T0);
        clients.registerConsumer(consumer("G2"), member(ch, "C1", T0), T0);
        clients.registerConsumer(consumer("G2"), member(other, "C2", T0), T0);
        clients.registerProducer("P", member(ch, "C1", T0), T0);
        assertThat(clients.connectionCount()).isEqualTo(2);

        assertThat(clients.channelClosed(ch)).containsExactlyInAnyOrder("G1", "G2");

        assertThat(clients.consumerGroup("G1")).as("an empty group is forgotten").isNull();
        assertThat(clients.consumerGroup("G2").clientIds()).containsExactly("C2");
        assertThat(clients.producers("P")).isEmpty();
        assertThat(clients.connectionCount()).isEqualTo(1);
        assertThat(clients.unregisterConsumer("G2", ch)).isFalse();
    }

    @Test
    void silentMembersExpireAndTheirConnectionsAreClosed() {
        EmbeddedChannel silent = channel();
        EmbeddedChannel alive = channel();
        EmbeddedChannel producer = channel();
        clients.registerConsumer(consumer("G"), member(silent, "C1", T0), T0);
        clients.registerConsumer(consumer("G"), member(alive, "C2", T0), T0);
        clients.registerProducer("P", member(producer, "C3", T0), T0);
        clients.registerConsumer(consumer("G"), member(alive, "C2", T0 + 100_000), T0 + 100_000); // heartbeat

        assertThat(clients.expire(T0 + 120_001, 120_000)).containsExactly("G");

        assertThat(clients.consumerGroup("G").clientIds()).containsExactly("C2");
        assertThat(silent.isOpen()).isFalse();
        assertThat(alive.isOpen()).isTrue();
        assertThat(clients.producers("P")).isEmpty();
        assertThat(producer.isOpen()).isFalse();
    }

    /**
     * The race the registry guards against: the connection closes (and its clean-up runs) while the heartbeat
     * is being registered. The channel answers "open" to the first check and "closed" after that.
     */
    @Test
    void aMemberWhoseConnectionClosesWhileRegisteringIsNotKept() {
        EmbeddedChannel closing = new EmbeddedChannel() {
            private int asked;

            @Override
            public boolean isActive() {
                return asked++ == 0;
            }
        };
        channels.add(closing);
        assertThat(clients.registerConsumer(consumer("G", SubscriptionData.ofTags("T", "a", 1)), member(closing, "C1", T0),
            T0)).isEqualTo(ClientRegistry.Outcome.CONNECTION_CLOSED);
        assertThat(clients.consumerGroup("G") == null || clients.consumerGroup("G").channels().isEmpty())
            .as("no ghost member left").isTrue();
        assertThat(clients.connectionCount()).isZero();
    }
}
