package io.quiver.broker.client;

import io.netty.channel.Channel;
import io.quiver.protocol.body.SubscriptionData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live members of one consumer group on this broker and the group's subscriptions as announced by
 * heartbeats. Updated under the group's monitor; read lock-free.
 */
public final class ConsumerGroupState {
    private final String group;
    private final Map<Channel, ClientChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, SubscriptionData> subscriptions = new ConcurrentHashMap<>();
    private volatile String consumeType;
    private volatile String messageModel;
    private volatile String consumeFromWhere;

    ConsumerGroupState(String group) {
        this.group = group;
    }

    public String group() {
        return group;
    }

    /** Registers or refreshes a member; returns true if it is new. Throws {@link Full} beyond {@code maxMembers}. */
    synchronized boolean upsertChannel(ClientChannel c, long nowMillis, int maxMembers) {
        ClientChannel existing = channels.get(c.channel());
        if (existing != null && existing.clientId().equals(c.clientId())) {
            existing.touch(nowMillis);
            return false;
        }
        if (existing == null && channels.size() >= maxMembers) {
            throw new Full();
        }
        channels.put(c.channel(), c);
        return true;
    }

    /** The group already has its most members. */
    static final class Full extends RuntimeException {
        Full() {
            super(null, null, false, false);
        }
    }

    /** Merges the announced subscriptions; returns true if the set changed. */
    synchronized boolean updateSubscriptions(Set<SubscriptionData> announced, String consumeType, String messageModel,
                                             String consumeFromWhere) {
        this.consumeType = consumeType;
        this.messageModel = messageModel;
        this.consumeFromWhere = consumeFromWhere;
        boolean changed = false;
        for (SubscriptionData s : announced) {
            SubscriptionData old = subscriptions.get(s.topic);
            if (old == null) {
                subscriptions.put(s.topic, s);
                changed = true;
            } else if (s.subVersion > old.subVersion) {
                changed |= !String.valueOf(old.subString).equals(s.subString);
                subscriptions.put(s.topic, s);
            }
        }
        Set<String> announcedTopics = new java.util.HashSet<>();
        announced.forEach(s -> announcedTopics.add(s.topic));
        changed |= subscriptions.keySet().retainAll(announcedTopics);
        return changed;
    }

    synchronized boolean removeChannel(Channel ch) {
        return channels.remove(ch) != null;
    }

    public boolean isEmpty() {
        return channels.isEmpty();
    }

    public Collection<ClientChannel> channels() {
        return channels.values();
    }

    public List<String> clientIds() {
        List<String> ids = new ArrayList<>();
        channels.values().forEach(c -> ids.add(c.clientId()));
        return ids;
    }

    public SubscriptionData subscription(String topic) {
        return subscriptions.get(topic);
    }

    public Map<String, SubscriptionData> subscriptions() {
        return subscriptions;
    }

    public String consumeType() {
        return consumeType;
    }

    public String messageModel() {
        return messageModel;
    }

    public String consumeFromWhere() {
        return consumeFromWhere;
    }
}
