package io.quiver.broker;

import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;

/**
 * Finds the topic a send or pull names, creating it where RocketMQ would (fact sheet §5.2 step 4, §11.1):
 * from an inheritable template such as TBW102, and retry/DLQ topics on demand. Thread-safe (delegates to
 * {@link io.quiver.broker.metadata.TopicTable}).
 */
public final class TopicResolver {
    private final BrokerContext broker;

    public TopicResolver(BrokerContext broker) {
        this.broker = broker;
    }

    /** The topic's config, auto-created if allowed; otherwise replies TOPIC_NOT_EXIST and returns null. */
    public TopicConfig resolveForSend(String topic, String templateName, int requestedQueues, RequestContext ctx) {
        TopicConfig existing = broker.topics().get(topic);
        if (existing != null) {
            return existing;
        }
        if (TopicNames.isRetry(topic) || TopicNames.isDlq(topic)) {
            return created(broker.topics().createIfAbsent(topic, 1, PermName.READ_WRITE));
        }
        TopicConfig template = templateName == null ? null : broker.topics().get(templateName);
        if (template != null && PermName.isInherited(template.perm)) {
            int queues = Math.max(1, Math.min(requestedQueues, template.writeQueueNums));
            return created(broker.topics().createIfAbsent(topic, queues, template.perm & ~PermName.INHERIT));
        }
        ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "topic " + topic + " does not exist on broker " + broker.config().brokerName
            + (broker.config().autoCreateTopicEnable ? "" : " and automatic creation is off (autoCreateTopicEnable=false)")
            + "; create it first (mqadmin updateTopic)");
        return null;
    }

    private TopicConfig created(TopicConfig c) {
        broker.registerWithNameServersSoon();
        return c;
    }
}
