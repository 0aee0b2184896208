package io.quiver.broker.send;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.send.TopicResolver;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.BatchBody;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The one routing decision of a send: which topic and queue (its own, or its group's dead-letter queue
 * once retries are used up), which drafts to store (one, or one per batch member), and whether they go
 * to their topic or are diverted to the half, schedule or timer queue. Everything that follows the store
 * (waking consumers, delay and timer services) is told by the store itself ({@link
 * io.quiver.store.ArrivalListener}), so this class decides and builds, nothing more. Any thread.
 */
public final class SendRouter {
    /** The RocketMQ 5 topic attribute that declares a topic's message type. */
    public static final String MESSAGE_TYPE_ATTRIBUTE = "message.type";
    private static final String[] TIMER_KEYS = {"TIMER_DELIVER_MS", "TIMER_DELAY_SEC", "TIMER_DELAY_MS"};

    private final BrokerConfig config;
    private final SubscriptionGroupTable groups;
    private final TopicResolver topics;
    private final Diversions diversions;
    private final byte[] storeHost;
    private final LongSupplier clock;

    public SendRouter(BrokerConfig config, SubscriptionGroupTable groups, TopicResolver topics, Diversions diversions,
                      byte[] storeHost, LongSupplier clock) {
        this.config = config;
        this.groups = groups;
        this.topics = topics;
        this.diversions = diversions;
        this.storeHost = storeHost;
        this.clock = clock;
    }

    public Route route(SendRequest r) {
        String topicName = r.topic();
        boolean toDlq = false;
        if (TopicNames.isRetry(topicName) && !r.transactional()) {
            String group = topicName.substring(TopicNames.RETRY_PREFIX.length());
            SubscriptionGroupConfig g = groups.findOrCreate(group, config.autoCreateSubscriptionGroup);
            if (g == null) {
                return Route.refuse(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
                    groups.missingRemark(group, config.autoCreateSubscriptionGroup));
            }
            if (RetryPolicy.exhausted(r.header().reconsumeTimes(), r.header().maxReconsumeTimes(), g)) {
                topicName = TopicNames.dlqTopic(group);
                toDlq = true;
            }
        }
        TopicResolver.Resolved resolved = topics.resolveForSend(topicName, r.header().defaultTopic(),
            r.header().defaultTopicQueueNums());
        if (resolved.refusal() != null) {
            return new Route.Refused(resolved.refusal());
        }
        TopicConfig topic = resolved.topic();
        Refusal typeOrPerm = checkTopic(r, topic);
        if (typeOrPerm != null) {
            return new Route.Refused(typeOrPerm);
        }
        int queueCount = Math.max(topic.writeQueueNums, topic.readQueueNums);
        int queueId = toDlq ? 0 : r.header().queueId();
        if (queueId < 0 || (TopicNames.isRetry(topicName) && queueId >= queueCount)) {
            queueId = ThreadLocalRandom.current().nextInt(Math.max(1, topic.writeQueueNums));
        } else if (queueId >= queueCount) {
            return Route.refuse(ResponseCode.SYSTEM_ERROR, "queueId " + queueId + " is illegal: topic " + r.topic()
                + " has " + queueCount + " queues on broker " + config.brokerName);
        }
        Route route = r.batch() ? batch(r, topicName, queueId) : single(r, topicName, queueId, toDlq);
        // A topic this send created must be on disk before the send is acknowledged (kill -9 safety).
        return route instanceof Route.Store s && !resolved.written().isDone() ? s.afterTopicWritten(resolved.written()) : route;
    }

    private Refusal checkTopic(SendRequest r, TopicConfig topic) {
        String declaredType = topic.attributes == null ? null : topic.attributes.get(MESSAGE_TYPE_ATTRIBUTE);
        if (declaredType != null && r.transactional() != "TRANSACTION".equalsIgnoreCase(declaredType)) {
            return new Refusal(ResponseCode.MESSAGE_ILLEGAL, r.transactional()
                ? "topic " + r.topic() + " is declared message.type=" + declaredType
                    + "; transactional messages need a topic declared TRANSACTION (or one with no declared type)"
                : "topic " + r.topic() + " is declared message.type=TRANSACTION; send with a TransactionMQProducer");
        }
        if (!PermName.isWriteable(topic.perm)) {
            return new Refusal(ResponseCode.NO_PERMISSION, "the topic " + r.topic() + " is not writable (perm "
                + PermName.describe(topic.perm) + ")");
        }
        return null;
    }

    private Route single(SendRequest r, String topicName, int queueId, boolean toDlq) {
        Map<String, String> props = r.properties();
        props.putIfAbsent(MessageProperties.CLUSTER, config.brokerClusterName);
        MessageDraft d = draft(r, topicName, queueId, 0, r.body().length, r.header().flag(), props);
        if (r.transactional()) {
            diversions.toHalf(d, props);
            return new Route.Store(List.of(d), queueId, r.waitDurable(), d.uniqKey());
        }
        int level = delayLevel(props.get(MessageProperties.DELAY));
        if (toDlq || level > 0) {
            for (String k : TIMER_KEYS) {
                props.remove(k); // a DELAY level wins over timer properties (fact sheet §8.2)
            }
        }
        if (toDlq) {
            props.remove(MessageProperties.DELAY);
            d.properties(MessageProperties.encode(props));
            return new Route.Store(List.of(d), queueId, r.waitDurable(), null);
        }
        if (level > 0) {
            diversions.toSchedule(d, props, level);
            return new Route.Store(List.of(d), queueId, r.waitDurable(), null);
        }
        return timer(r, d, props, queueId);
    }

    private Route timer(SendRequest r, MessageDraft d, Map<String, String> props, int queueId) {
        long now = clock.getAsLong();
        Long deliverAt;
        try {
            deliverAt = io.quiver.broker.delay.TimerService.requestedDeliveryMillis(props, now);
        } catch (IllegalArgumentException e) {
            return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
        }
        if (deliverAt == null || deliverAt <= now) {
            return new Route.Store(List.of(d), queueId, r.waitDurable(), null);
        }
        if (!config.timerWheelEnable) {
            return Route.refuse(ResponseCode.SYSTEM_ERROR, "timer messages are disabled on this broker (timerWheelEnable=false)");
        }
        if (deliverAt > now + config.timerMaxDelaySec * 1000L) {
            return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, "the delivery time is " + (deliverAt - now) / 1000
                + " s ahead; the limit (timerMaxDelaySec) is " + config.timerMaxDelaySec + " s");
        }
        if (!diversions.timerHasRoom()) {
            return Route.refuse(ResponseCode.SYSTEM_BUSY, "[TIMER] too many pending timer messages ("
                + diversions.maxPendingTimers() + "); try again later");
        }
        diversions.toTimer(d, props, deliverAt);
        return new Route.Store(List.of(d), queueId, r.waitDurable(), null);
    }

    private Route batch(SendRequest r, String topicName, int queueId) {
        List<BatchBody.Entry> entries;
        try {
            entries = BatchBody.split(r.body());
        } catch (IllegalArgumentException e) {
            return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
        }
        List<MessageDraft> drafts = new ArrayList<>(entries.size());
        long total = 0;
        for (BatchBody.Entry e : entries) {
            if (e.bodyLength() > config.maxMessageSize) {
                return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, "a batch member body has " + e.bodyLength()
                    + " bytes; the limit (maxMessageSize) is " + config.maxMessageSize + " bytes");
            }
            total += e.bodyLength();
            // Each member keeps its own properties (and its own UNIQ_KEY); batch-level ones only fill gaps.
            Map<String, String> props = MessageProperties.parse(e.properties());
            r.properties().forEach(props::putIfAbsent);
            if (delayLevel(props.get(MessageProperties.DELAY)) > 0 || hasTimer(props)) {
                return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, "a batch cannot be delayed: batch member "
                    + drafts.size() + " has a DELAY level or a timer property; send delayed messages one by one");
            }
            props.putIfAbsent(MessageProperties.CLUSTER, config.brokerClusterName);
            drafts.add(draft(r, topicName, queueId, e.bodyOffset(), e.bodyLength(), e.flag(), props));
        }
        if (total > config.maxMessageSize) {
            return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, "the batch bodies add up to " + total
                + " bytes; the limit (maxMessageSize) is " + config.maxMessageSize + " bytes");
        }
        if (drafts.isEmpty()) {
            return Route.refuse(ResponseCode.MESSAGE_ILLEGAL, "the batch holds no messages");
        }
        return new Route.Store(drafts, queueId, r.waitDurable(), null);
    }

    private MessageDraft draft(SendRequest r, String topic, int queueId, int offset, int length, int flag,
                               Map<String, String> props) {
        return new MessageDraft()
            .topic(topic)
            .queueId(queueId)
            .flag(flag)
            .sysFlag(r.header().sysFlag())
            .bornTimestamp(r.header().bornTimestamp())
            .reconsumeTimes(r.header().reconsumeTimes())
            .body(r.body(), offset, length)
            .properties(MessageProperties.encode(props))
            .tagsCode(MessageDraft.tagsCodeOf(props))
            .keys(props.get(MessageProperties.KEYS))
            .uniqKey(props.get(MessageProperties.UNIQ_KEY))
            .bornHost(r.bornHost())
            .bornPort(r.bornPort())
            .storeHost(storeHost)
            .storePort(config.listenPort);
    }

    private static boolean hasTimer(Map<String, String> props) {
        for (String k : TIMER_KEYS) {
            if (props.containsKey(k)) {
                return true;
            }
        }
        return false;
    }

    static int delayLevel(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
