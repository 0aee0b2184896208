package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.metrics.Traffic;
import io.quiver.broker.send.Diversions;
import io.quiver.broker.send.MessageAppender;
import io.quiver.broker.send.TopicResolver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.MessageReader;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * CONSUMER_SEND_MSG_BACK (fact sheet §6.7): a consumer could not process a message. It is stored again
 * for {@code %RETRY%<group>} after the back-off of its delay level (level 0 means 3 + reconsumeTimes),
 * keeping message id, keys, properties and its original topic ({@code RETRY_TOPIC}); once it has been
 * retried the group's maximum number of times it goes to {@code %DLQ%<group>} instead.
 */
public final class SendBackHandler implements RequestHandler {
    private final SubscriptionGroupTable groups;
    private final BrokerConfig config;
    private final MessageReader store;
    private final byte[] storeHost;
    private final TopicResolver topicResolver;
    private final TopicTable topics;
    private final Runnable topicsChanged;
    private final MessageAppender appender;
    private final Diversions diversions;
    private final Traffic traffic;

    public SendBackHandler(BrokerConfig config, SubscriptionGroupTable groups, TopicTable topics, TopicResolver topicResolver,
                           Runnable topicsChanged, MessageReader store, MessageAppender appender, Diversions diversions,
                           Traffic traffic, byte[] storeHost) {
        this.groups = groups;
        this.config = config;
        this.store = store;
        this.storeHost = storeHost;
        this.topicResolver = topicResolver;
        this.topics = topics;
        this.topicsChanged = topicsChanged;
        this.appender = appender;
        this.diversions = diversions;
        this.traffic = traffic;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.ConsumerSendMsgBack h = RequestHeaders.ConsumerSendMsgBack.decode(req);
        long offset = h.offset();
        String group = h.group();
        int delayLevel = h.delayLevel();
        String originMsgId = h.originMsgId();
        Integer headerMax = h.maxReconsumeTimes();
        SubscriptionGroupConfig g = groups.findOrCreate(group, config.autoCreateSubscriptionGroup);
        if (g == null) {
            ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, groups.missingRemark(group, config.autoCreateSubscriptionGroup));
            return;
        }
        if (!PermName.isWriteable(config.brokerPermission)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "the broker does not accept writes now");
            return;
        }
        if (g.retryQueueNums <= 0) {
            ctx.reply(ResponseCode.SUCCESS, null); // the group keeps no retries: dropped, as configured
            return;
        }
        ByteBuffer rec = store.recordAt(offset);
        if (rec == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "look message by offset failed, " + offset);
            return;
        }
        DecodedMessage m = MessageRecord.decode(rec, 0);
        Map<String, String> props = m.propertyMap();
        props.putIfAbsent(MessageProperties.RETRY_TOPIC, m.topic);
        props.putIfAbsent(MessageProperties.ORIGIN_MESSAGE_ID,
            originMsgId == null || originMsgId.isBlank() ? m.offsetMsgId() : originMsgId);
        props.put(MessageProperties.WAIT, "false");
        props.remove(MessageProperties.DELAY);
        boolean dead = delayLevel < 0 || io.quiver.broker.send.RetryPolicy.exhausted(m.reconsumeTimes, headerMax, g);

        MessageDraft d = MessageDraft.copyOf(m);
        d.sysFlag(MessageSysFlag.withTransactionType(m.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE));
        d.storeHost(storeHost);
        d.storePort(config.listenPort);
        d.reconsumeTimes(m.reconsumeTimes + 1);
        if (dead) {
            String dlq = TopicNames.dlqTopic(group);
            io.quiver.broker.send.TopicResolver.Resolved created = topicResolver.resolveForSend(dlq, null, 1);
            if (created.refusal() != null) {
                ctx.reply(created.refusal().code(), created.refusal().remark());
                return;
            }
            d.topic(dlq);
            d.queueId(0);
            d.properties(MessageProperties.encode(props));
        } else {
            String retry = TopicNames.retryTopic(group);
            if (topics.get(retry) == null) {
                if (topics.createIfAbsent(retry, g.retryQueueNums, PermName.READ_WRITE) == null) {
                    ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "the retry topic " + retry + " cannot be created: "
                        + topics.limitRemark(retry));
                    return;
                }
                topicsChanged.run();
            }
            d.topic(retry);
            d.queueId(ThreadLocalRandom.current().nextInt(Math.max(1, g.retryQueueNums)));
            diversions.toSchedule(d, props, delayLevel == 0 ? 3 + m.reconsumeTimes : delayLevel);
        }
        if (dead) {
            d.tagsCode(MessageDraft.tagsCodeOf(props));
        }
        appender.append(List.of(d), true, ctx.executor()).whenComplete((res, e) -> {
            if (e != null || !res.isStored()) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "storing the message for retry failed: "
                    + (e != null ? e : res.remark()));
                return;
            }
            if (dead) {
                traffic.deadLettered();
            } else {
                traffic.retried();
            }
            ctx.reply(ResponseCode.SUCCESS, null);
        });
    }
}
