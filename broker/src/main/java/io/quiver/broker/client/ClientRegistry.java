package io.quiver.broker.client;

import io.netty.channel.Channel;
import io.quiver.protocol.body.HeartbeatData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer and consumer groups of connected clients (fact sheet §4), fed by heartbeats and
 * unregistrations, pruned when connections close or fall silent. Thread-safe: concurrent maps, with
 * each consumer group's changes under that group's monitor.
 */
public final class ClientRegistry {
    private static final Logger log = LoggerFactory.getLogger(ClientRegistry.class);

    /** Bound on distinct groups tracked, so a misbehaving client cannot grow the registry without end. */
    public static final int MAX_GROUPS = 100_000;

    /** What became of one registration. */
    public enum Outcome {
        /** Registered; the group's membership or subscriptions changed. */
        CHANGED,
        /** Registered (refreshed); nothing changed. */
        UNCHANGED,
        /** Refused: {@link #MAX_GROUPS} groups are already tracked. */
        TOO_MANY_GROUPS,
        /** Refused: the group already has its most members (maxClientsPerGroup). */
        TOO_MANY_CLIENTS,
        /**
         * Refused: the member's connection has closed. A heartbeat may wait for a pool thread until after its
         * connection's clean-up ({@link #channelClosed}) ran; registered then, the member would be a ghost
         * that others rebalance queues onto until it expires.
         */
        CONNECTION_CLOSED
    }

    private final int maxClientsPerGroup;

    /** @param maxClientsPerGroup most live connections one group (consumer or producer) may have */
    public ClientRegistry(int maxClientsPerGroup) {
        this.maxClientsPerGroup = maxClientsPerGroup;
    }

    public int maxClientsPerGroup() {
        return maxClientsPerGroup;
    }

    private final Map<String, Map<Channel, ClientChannel>> producers = new ConcurrentHashMap<>();
    private final Map<String, ConsumerGroupState> consumers = new ConcurrentHashMap<>();

    /**
     * Registers a consumer member and its subscriptions, within the bounds on groups and members, unless its
     * connection has closed (checked again after registering: the close's clean-up may have run in between).
     */
    public Outcome registerConsumer(HeartbeatData.ConsumerData data, ClientChannel member, long nowMillis) {
        if (!member.channel().isActive()) {
            return Outcome.CONNECTION_CLOSED;
        }
        Outcome outcome = upsertConsumer(data, member, nowMillis);
        if (!member.channel().isActive()) {
            unregisterConsumer(data.groupName, member.channel());
            return Outcome.CONNECTION_CLOSED;
        }
        return outcome;
    }

    private Outcome upsertConsumer(HeartbeatData.ConsumerData data, ClientChannel member, long nowMillis) {
        ConsumerGroupState g = consumers.get(data.groupName);
        if (g == null) {
            if (consumers.size() >= MAX_GROUPS) {
                return Outcome.TOO_MANY_GROUPS;
            }
            g = consumers.computeIfAbsent(data.groupName, ConsumerGroupState::new);
        }
        boolean joined;
        try {
            joined = g.upsertChannel(member, nowMillis, maxClientsPerGroup);
        } catch (ConsumerGroupState.Full e) {
            return Outcome.TOO_MANY_CLIENTS;
        }
        boolean subsChanged = g.updateSubscriptions(data.subscriptionDataSet, data.consumeType, data.messageModel,
            data.consumeFromWhere);
        if (joined) {
            log.info("consumer joined group {}: {} from {}", data.groupName, member.clientId(), member.remoteAddress());
        }
        return joined || subsChanged ? Outcome.CHANGED : Outcome.UNCHANGED;
    }

    /** Registers or refreshes a producer connection, within the bounds on groups and members, unless it has closed. */
    public Outcome registerProducer(String group, ClientChannel member, long nowMillis) {
        if (!member.channel().isActive()) {
            return Outcome.CONNECTION_CLOSED;
        }
        Outcome outcome = upsertProducer(group, member, nowMillis);
        if (!member.channel().isActive()) {
            unregisterProducer(group, member.channel());
            return Outcome.CONNECTION_CLOSED;
        }
        return outcome;
    }

    private Outcome upsertProducer(String group, ClientChannel member, long nowMillis) {
        Map<Channel, ClientChannel> m = producers.get(group);
        if (m == null) {
            if (producers.size() >= MAX_GROUPS) {
                return Outcome.TOO_MANY_GROUPS;
            }
            m = producers.computeIfAbsent(group, k -> new ConcurrentHashMap<>());
        }
        ClientChannel existing = m.get(member.channel());
        if (existing != null) {
            existing.touch(nowMillis);
            return Outcome.UNCHANGED;
        }
        if (m.size() >= maxClientsPerGroup) {
            return Outcome.TOO_MANY_CLIENTS;
        }
        m.put(member.channel(), member);
        return Outcome.CHANGED;
    }

    /** Removes {@code channel} from a consumer group; returns true if it was a member. */
    public boolean unregisterConsumer(String group, Channel channel) {
        ConsumerGroupState g = consumers.get(group);
        if (g == null || !g.removeChannel(channel)) {
            return false;
        }
        if (g.isEmpty()) {
            consumers.remove(group, g);
        }
        log.info("consumer left group {}: {}", group, channel.remoteAddress());
        return true;
    }

    public void unregisterProducer(String group, Channel channel) {
        Map<Channel, ClientChannel> m = producers.get(group);
        if (m != null) {
            m.remove(channel);
            if (m.isEmpty()) {
                producers.remove(group, m);
            }
        }
    }

    /** Removes a closed connection everywhere; returns the consumer groups it left. */
    public List<String> channelClosed(Channel channel) {
        List<String> left = new ArrayList<>();
        for (String group : new ArrayList<>(consumers.keySet())) {
            if (unregisterConsumer(group, channel)) {
                left.add(group);
            }
        }
        for (String group : new ArrayList<>(producers.keySet())) {
            unregisterProducer(group, channel);
        }
        return left;
    }

    /** Drops members silent for longer than {@code timeoutMillis}; closes their connections; returns groups left. */
    public List<String> expire(long nowMillis, long timeoutMillis) {
        List<String> left = new ArrayList<>();
        for (ConsumerGroupState g : consumers.values()) {
            for (ClientChannel c : new ArrayList<>(g.channels())) {
                if (nowMillis - c.lastUpdateMillis() > timeoutMillis) {
                    log.warn("consumer {} of group {} sent no heartbeat for {} ms; dropped", c.clientId(), g.group(),
                        nowMillis - c.lastUpdateMillis());
                    if (unregisterConsumer(g.group(), c.channel())) {
                        left.add(g.group());
                    }
                    c.channel().close();
                }
            }
        }
        for (Map.Entry<String, Map<Channel, ClientChannel>> e : producers.entrySet()) {
            for (ClientChannel c : new ArrayList<>(e.getValue().values())) {
                if (nowMillis - c.lastUpdateMillis() > timeoutMillis) {
                    unregisterProducer(e.getKey(), c.channel());
                    c.channel().close();
                }
            }
        }
        return left;
    }

    public ConsumerGroupState consumerGroup(String group) {
        return consumers.get(group);
    }

    public Collection<ConsumerGroupState> consumerGroups() {
        return consumers.values();
    }

    /** The producer groups with at least one member. */
    public Collection<String> producerGroups() {
        List<String> out = new java.util.ArrayList<>();
        producers.forEach((g, m) -> {
            if (!m.isEmpty()) {
                out.add(g);
            }
        });
        return out;
    }

    public Collection<ClientChannel> producers(String group) {
        Map<Channel, ClientChannel> m = producers.get(group);
        return m == null ? List.of() : m.values();
    }

    public int connectionCount() {
        java.util.Set<Channel> all = new java.util.HashSet<>();
        consumers.values().forEach(g -> g.channels().forEach(c -> all.add(c.channel())));
        producers.values().forEach(m -> all.addAll(m.keySet()));
        return all.size();
    }
}
