package io.quiver.broker.send;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Finds the topic a send names, creating it where RocketMQ would (fact sheet §5.2 step 4, §11.1): from an
 * inheritable template such as TBW102, and retry/DLQ topics on demand for consumer groups that exist, within
 * the topic table's bounds.
 * Thread-safe (delegates to {@link TopicTable}).
 */
public final class TopicResolver {
    /** The topic, or why there is none. */
    /** The topic, or why there is none; {@code written} completes once a newly created topic is on disk. */
    public record Resolved(TopicConfig topic, Refusal refusal, java.util.concurrent.CompletableFuture<Void> written) {
        Resolved(TopicConfig topic, Refusal refusal) {
            this(topic, refusal, java.util.concurrent.CompletableFuture.completedFuture(null));
        }
    }

    private final TopicTable topics;
    private final SubscriptionGroupTable groups;
    private final BrokerConfig config;
    private final Supplier<CompletableFuture<Void>> announce;

    /**
     * @param announce re-registers with the name servers soon after a topic was created; completes once done
     */
    public TopicResolver(TopicTable topics, SubscriptionGroupTable groups, BrokerConfig config,
                         Supplier<CompletableFuture<Void>> announce) {
        this.topics = topics;
        this.groups = groups;
        this.config = config;
        this.announce = announce;
    }

    public Resolved resolveForSend(String topic, String templateName, int requestedQueues) {
        TopicConfig existing = topics.get(topic);
        if (existing != null) {
            return new Resolved(existing, null);
        }
        if (TopicNames.isRetry(topic) || TopicNames.isDlq(topic)) {
            String group = topic.substring(TopicNames.isRetry(topic) ? TopicNames.RETRY_PREFIX.length()
                : TopicNames.DLQ_PREFIX.length());
            // Retry and dead-letter topics exist only for consumer groups, so they are bounded by the groups.
            if (groups.findOrCreate(group, config.autoCreateSubscriptionGroup) == null) {
                return new Resolved(null, new Refusal(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic + " belongs to "
                    + groups.missingRemark(group, config.autoCreateSubscriptionGroup)));
            }
            return created(topic, topics.createIfAbsent(topic, 1, PermName.READ_WRITE));
        }
        TopicConfig template = templateName == null ? null : topics.get(templateName);
        if (template != null && PermName.isInherited(template.perm)) {
            int queues = Math.max(1, Math.min(requestedQueues, template.writeQueueNums));
            return created(topic, topics.createIfAbsent(topic, queues, template.perm & ~PermName.INHERIT));
        }
        return new Resolved(null, new Refusal(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic
            + " does not exist on broker " + config.brokerName
            + (config.autoCreateTopicEnable ? "" : " and automatic creation is off (autoCreateTopicEnable=false)")
            + "; create it first (mqadmin updateTopic)"));
    }

    private Resolved created(String topic, TopicConfig c) {
        if (c == null) {
            return new Resolved(null, new Refusal(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic
                + " does not exist and cannot be created: " + topics.limitRemark(topic)));
        }
        // Like RocketMQ, the send that created a topic is answered once the topic is on disk and announced,
        // so a client may look its route up at once.
        return new Resolved(c, null, CompletableFuture.allOf(topics.written(), announce.get()));
    }
}
