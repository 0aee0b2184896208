package io.quiver.broker.handler;

import io.quiver.broker.BrokerContext;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.BatchBody;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.PutResult;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SEND_MESSAGE, SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE (fact sheet §5): validates, auto-creates topics,
 * turns the request into store drafts, stores them and answers once the store says the records are
 * stored (and durable, in SYNC_FLUSH mode). Runs on the network thread; the answer is written from
 * whichever thread completes the store's future.
 */
public final class SendHandler implements RequestHandler {
    /** The RocketMQ 5 topic attribute that declares a topic's message type. */
    public static final String MESSAGE_TYPE_ATTRIBUTE = "message.type";

    private final BrokerContext broker;

    public SendHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        long startNanos = System.nanoTime();
        broker.drainService().sendArrived();
        SendMessageRequestHeader h = SendMessageRequestHeader.decode(req);
        String problem = TopicNames.validate(h.topic());
        if (problem != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "invalid topic: " + problem);
            return;
        }
        if (TopicNames.NOT_ALLOWED_TO_SEND.contains(h.topic())) {
            ctx.reply(ResponseCode.NO_PERMISSION, "sending to the system topic " + h.topic() + " is not allowed");
            return;
        }
        if (!PermName.isWriteable(broker.config().brokerPermission)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "the broker " + broker.config().brokerName
                + " does not accept writes now (brokerPermission=" + broker.config().brokerPermission + ")");
            return;
        }
        byte[] body = req.body() == null ? new byte[0] : req.body();
        boolean batch = h.batch() || req.code() == io.quiver.protocol.RequestCode.SEND_BATCH_MESSAGE;
        if (!batch && body.length > broker.config().maxMessageSize) {
            ctx.reply(ResponseCode.MESSAGE_ILLEGAL, "the message body has " + body.length
                + " bytes; the limit (maxMessageSize) is " + broker.config().maxMessageSize + " bytes");
            return;
        }
        boolean transactional = MessageSysFlag.transactionType(h.sysFlag()) == MessageSysFlag.TRANSACTION_PREPARED_TYPE;
        if (transactional && (batch || broker.config().rejectTransactionMessage)) {
            ctx.reply(ResponseCode.NO_PERMISSION, batch ? "a batch cannot be transactional"
                : "this broker refuses transactional messages (rejectTransactionMessage=true)");
            return;
        }
        String topicName = h.topic();
        boolean toDlq = false;
        if (TopicNames.isRetry(topicName) && !transactional) {
            String group = topicName.substring(TopicNames.RETRY_PREFIX.length());
            io.quiver.protocol.body.SubscriptionGroupConfig g = broker.groups().findOrCreate(group,
                broker.config().autoCreateSubscriptionGroup);
            if (g == null) {
                ctx.reply(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "consumer group " + group + " does not exist");
                return;
            }
            int max = h.maxReconsumeTimes() != null && h.maxReconsumeTimes() >= 0 ? h.maxReconsumeTimes() : g.retryMaxTimes;
            if (h.reconsumeTimes() >= max) {
                topicName = TopicNames.dlqTopic(group);
                toDlq = true;
            }
        }
        TopicConfig topic = broker.topicResolver().resolveForSend(topicName, h.defaultTopic(), h.defaultTopicQueueNums(), ctx);
        if (topic == null) {
            return; // resolver replied
        }
        String declaredType = topic.attributes == null ? null : topic.attributes.get(MESSAGE_TYPE_ATTRIBUTE);
        if (declaredType != null && transactional != "TRANSACTION".equalsIgnoreCase(declaredType)) {
            ctx.reply(ResponseCode.MESSAGE_ILLEGAL, transactional
                ? "topic " + h.topic() + " is declared message.type=" + declaredType
                    + "; transactional messages need a topic declared TRANSACTION (or one with no declared type)"
                : "topic " + h.topic() + " is declared message.type=TRANSACTION; send with a TransactionMQProducer");
            return;
        }
        if (!PermName.isWriteable(topic.perm)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "the topic " + h.topic() + " is not writable (perm "
                + PermName.describe(topic.perm) + ")");
            return;
        }
        int queueId = toDlq ? 0 : h.queueId();
        int queueCount = Math.max(topic.writeQueueNums, topic.readQueueNums);
        if (queueId < 0 || (TopicNames.isRetry(topicName) && queueId >= queueCount)) {
            queueId = ThreadLocalRandom.current().nextInt(Math.max(1, topic.writeQueueNums));
        } else if (queueId >= queueCount) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "queueId " + queueId + " is illegal: topic " + h.topic() + " has "
                + queueCount + " queues on broker " + broker.config().brokerName);
            return;
        }
        List<MessageDraft> drafts;
        try {
            drafts = batch ? batchDrafts(h, body, queueId, ctx) : List.of(draft(h, body, 0, body.length, h.properties(),
                h.flag(), queueId, ctx));
            for (MessageDraft d : drafts) {
                d.topic = topicName;
                d.invalidateEncodedStrings();
            }
        } catch (IllegalArgumentException e) {
            ctx.reply(ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
            return;
        }
        boolean wait = !"false".equals(MessageProperties.parse(h.properties()).get(MessageProperties.WAIT));
        String uniqKey = drafts.get(0).uniqKey;
        boolean delayed = false;
        long timerAt = -1;
        if (transactional) {
            MessageDraft d = drafts.get(0);
            broker.transactions().toHalf(d, MessageProperties.parse(d.properties));
        } else if (!batch) {
            MessageDraft d = drafts.get(0);
            Map<String, String> props = MessageProperties.parse(d.properties);
            int level = delayLevel(props.get(MessageProperties.DELAY));
            Long deliverAt;
            try {
                deliverAt = level > 0 || toDlq ? null
                    : io.quiver.broker.delay.TimerService.requestedDeliveryMillis(props, System.currentTimeMillis());
            } catch (IllegalArgumentException e) {
                ctx.reply(ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
                return;
            }
            if (level > 0 || toDlq) {
                // A DELAY level wins over timer properties, which are dropped (fact sheet §8.2).
                for (String k : new String[] {"TIMER_DELIVER_MS", "TIMER_DELAY_SEC", "TIMER_DELAY_MS"}) {
                    props.remove(k);
                }
            }
            if (toDlq) {
                props.remove(MessageProperties.DELAY);
                d.properties = MessageProperties.encode(props);
                d.invalidateEncodedStrings();
            } else if (level > 0) {
                broker.schedule().toSchedule(d, props, level);
                delayed = true;
            } else if (deliverAt != null && deliverAt > System.currentTimeMillis()) {
                long limit = System.currentTimeMillis() + broker.config().timerMaxDelaySec * 1000L;
                if (!broker.config().timerWheelEnable) {
                    ctx.reply(ResponseCode.SYSTEM_ERROR, "timer messages are disabled on this broker (timerWheelEnable=false)");
                    return;
                }
                if (deliverAt > limit) {
                    ctx.reply(ResponseCode.MESSAGE_ILLEGAL, "the delivery time is " + (deliverAt - System.currentTimeMillis()) / 1000
                        + " s ahead; the limit (timerMaxDelaySec) is " + broker.config().timerMaxDelaySec + " s");
                    return;
                }
                if (!broker.timers().hasRoom()) {
                    ctx.reply(ResponseCode.SYSTEM_BUSY, "[TIMER] too many pending timer messages ("
                        + io.quiver.broker.delay.TimerService.MAX_PENDING_TIMERS + "); try again later");
                    return;
                }
                broker.timers().toTimer(d, props, deliverAt);
                timerAt = deliverAt;
            }
        }
        final boolean isDelayed = delayed;
        final long isTimerAt = timerAt;
        final int qid = queueId;
        broker.store().put(drafts, wait).whenComplete((r, e) -> {
            if (e != null) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "storing the message failed: " + e);
                return;
            }
            reply(ctx, r, qid, transactional ? uniqKey : null);
            broker.metrics().observeSend(startNanos);
            if (r.isStored()) {
                long bytes = 0;
                for (MessageDraft d : drafts) {
                    bytes += d.bodyLength;
                }
                broker.traffic().stored(h.topic(), drafts.size(), bytes);
            }
            if (r.isStored() && isTimerAt > 0) {
                broker.timers().stored(r.firstQueueOffset(), isTimerAt);
            } else if (r.isStored() && isDelayed) {
                broker.schedule().wake();
            } else if (r.isStored() && !transactional) {
                broker.longPolling().notifyArrival(drafts.get(0).topic, qid);
            }
        });
    }

    private static int delayLevel(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private List<MessageDraft> batchDrafts(SendMessageRequestHeader h, byte[] body, int queueId, RequestContext ctx) {
        List<BatchBody.Entry> entries = BatchBody.split(body);
        Map<String, String> batchProps = MessageProperties.parse(h.properties());
        List<MessageDraft> drafts = new ArrayList<>(entries.size());
        long total = 0;
        for (BatchBody.Entry e : entries) {
            if (e.bodyLength() > broker.config().maxMessageSize) {
                throw new IllegalArgumentException("a batch member body has " + e.bodyLength()
                    + " bytes; the limit (maxMessageSize) is " + broker.config().maxMessageSize + " bytes");
            }
            total += e.bodyLength();
            // Each member keeps its own properties (and its own UNIQ_KEY); batch-level ones only fill gaps.
            Map<String, String> props = MessageProperties.parse(e.properties());
            batchProps.forEach(props::putIfAbsent);
            drafts.add(draft(h, body, e.bodyOffset(), e.bodyLength(), MessageProperties.encode(props), e.flag(), queueId, ctx));
        }
        if (total > broker.config().maxMessageSize) {
            throw new IllegalArgumentException("the batch bodies add up to " + total
                + " bytes; the limit (maxMessageSize) is " + broker.config().maxMessageSize + " bytes");
        }
        return drafts;
    }

    private MessageDraft draft(SendMessageRequestHeader h, byte[] body, int offset, int length, String properties,
                               int flag, int queueId, RequestContext ctx) {
        MessageDraft d = new MessageDraft();
        d.topic = h.topic();
        d.queueId = queueId;
        d.flag = flag;
        d.sysFlag = h.sysFlag();
        d.bornTimestamp = h.bornTimestamp();
        d.reconsumeTimes = h.reconsumeTimes();
        d.body(body, offset, length);
        Map<String, String> props = MessageProperties.parse(properties);
        props.putIfAbsent(MessageProperties.CLUSTER, broker.config().brokerClusterName);
        d.properties = MessageProperties.encode(props);
        String tags = props.get(MessageProperties.TAGS);
        d.tagsCode = tags == null || tags.isEmpty() ? 0 : tags.hashCode();
        d.keys = props.get(MessageProperties.KEYS);
        d.uniqKey = props.get(MessageProperties.UNIQ_KEY);
        InetSocketAddress born = ctx.remoteAddress();
        d.bornHost = born.getAddress().getAddress();
        d.bornPort = born.getPort();
        d.storeHost = broker.storeHostBytes();
        d.storePort = broker.config().listenPort;
        return d;
    }

    private void reply(RequestContext ctx, PutResult r, int queueId, String transactionId) {
        int code = switch (r.status()) {
            case PUT_OK -> ResponseCode.SUCCESS;
            case FLUSH_DISK_TIMEOUT -> ResponseCode.FLUSH_DISK_TIMEOUT;
            case MESSAGE_ILLEGAL -> ResponseCode.MESSAGE_ILLEGAL;
            case DISK_FULL, SERVICE_NOT_AVAILABLE -> ResponseCode.SERVICE_NOT_AVAILABLE;
            case FLUSH_FAILED -> ResponseCode.SYSTEM_ERROR;
        };
        RemotingCommand resp = ctx.response(code, r.remark());
        if (code == ResponseCode.SUCCESS || code == ResponseCode.FLUSH_DISK_TIMEOUT) {
            StringBuilder ids = new StringBuilder();
            for (long off : r.commitLogOffsets()) {
                if (ids.length() > 0) {
                    ids.append(',');
                }
                ids.append(MessageId.offsetId(broker.storeHostBytes(), broker.config().listenPort, off));
            }
            resp.putExt("msgId", ids.toString()).putExt("queueId", queueId).putExt("queueOffset", r.firstQueueOffset())
                .putExt("MSG_REGION", "DefaultRegion").putExt("TRACE_ON", "true").putExt("transactionId", transactionId);
        }
        ctx.reply(resp);
    }
}
