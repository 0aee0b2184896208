package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.broker.send.MessageAppender;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageReader;
import io.quiver.store.PutResult;
import io.quiver.store.TimeBoundary;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quiver's DLQ redrive: moves a group's dead letters back to {@code %RETRY%<group>} so they are consumed
 * again, with a fresh retry count. What has been moved is remembered as the offset of the internal group
 * {@link #PROGRESS_GROUP} on the DLQ, so each dead letter moves once; {@code since} starts at the first
 * dead letter stored at or after that time. Answers with how many moved. Runs on the admin pool.
 */
public final class DlqRedriveHandler implements RequestHandler {
    public static final String PROGRESS_GROUP = "QUIVER_DLQ_REDRIVE";
    /** Most dead letters moved by one request. */
    public static final int MAX_PER_REQUEST = 100_000;
    static final int BATCH = 32;

    private final MessageReader store;
    private final ConsumerOffsetTable offsets;
    private final SubscriptionGroupTable groups;
    private final BrokerConfig config;
    private final TopicTable topics;
    private final Runnable topicsChanged;
    private final MessageAppender appender;
    private final byte[] storeHost;

    public DlqRedriveHandler(BrokerConfig config, SubscriptionGroupTable groups, TopicTable topics, Runnable topicsChanged,
                             ConsumerOffsetTable offsets, MessageReader store, MessageAppender appender, byte[] storeHost) {
        this.store = store;
        this.offsets = offsets;
        this.groups = groups;
        this.config = config;
        this.topics = topics;
        this.topicsChanged = topicsChanged;
        this.appender = appender;
        this.storeHost = storeHost;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.DlqRedrive h = RequestHeaders.DlqRedrive.decode(req);
        String group = h.group();
        long since = h.since();
        int limit = Math.max(1, Math.min(MAX_PER_REQUEST, h.limit() == null ? MAX_PER_REQUEST : h.limit()));
        String dlq = TopicNames.dlqTopic(group);
        String retry = TopicNames.retryTopic(group);
        long max = store.maxOffset(dlq, 0);
        long from = Math.max(Math.max(0, store.minOffset(dlq, 0)), offsets.get(PROGRESS_GROUP, dlq, 0));
        if (since >= 0) {
            from = Math.max(from, store.offsetForTimestamp(dlq, 0, since, TimeBoundary.LOWER));
        }
        SubscriptionGroupConfig g = groups.findOrCreate(group, config.autoCreateSubscriptionGroup);
        int retryQueues = g == null ? 1 : Math.max(1, g.retryQueueNums);
        if (max > from && topics.get(retry) == null) {
            if (topics.createIfAbsent(retry, retryQueues, PermName.READ_WRITE) == null) {
                ctx.reply(ResponseCode.TOPIC_NOT_EXIST, "the retry topic " + retry + " cannot be created: "
                    + topics.limitRemark(retry) + "; nothing was moved");
                return;
            }
            topicsChanged.run();
        }
        if (max > from && !offsets.canCommit(PROGRESS_GROUP, dlq)) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] the redrive's progress cannot be recorded: the broker "
                + "holds offsets for " + offsets.size() + " (topic, group) pairs, its limit (maxConsumerOffsetEntries="
                + offsets.limit() + "); nothing was moved");
            return;
        }
        long start = from;
        int moved = 0;
        while (from < max && moved < limit) {
            GetResult got = store.getCopies(dlq, 0, from, Math.min(BATCH, limit - moved), 0, MessageFilter.ALL);
            if (got.records().isEmpty()) {
                from = Math.max(from + 1, got.nextBeginOffset());
                continue;
            }
            List<MessageDraft> drafts = new ArrayList<>();
            for (ByteBuffer rec : got.records()) {
                drafts.add(toRetry(MessageRecord.decode(rec, 0), retry, drafts.size() % retryQueues));
            }
            PutResult put = appender.append(drafts, true, Runnable::run).join(); // admin pool waits
            if (!put.isStored()) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "redrive stopped after " + moved + " message(s): " + put.remark());
                return;
            }
            moved += drafts.size();
            from = got.nextBeginOffset();
            offsets.commit(PROGRESS_GROUP, dlq, 0, from);
        }
        offsets.persist();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("brokerName", config.brokerName);
        body.put("moved", moved);
        body.put("fromOffset", start);
        body.put("toOffset", from);
        body.put("remaining", Math.max(0, max - from));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    private MessageDraft toRetry(DecodedMessage m, String retryTopic, int queueId) {
        Map<String, String> props = m.propertyMap();
        props.remove(MessageProperties.DELAY);
        props.put(MessageProperties.WAIT, "false");
        MessageDraft d = MessageDraft.copyOf(m);
        d.topic(retryTopic);
        d.queueId(queueId);
        d.storeHost(storeHost);
        d.storePort(config.listenPort);
        d.reconsumeTimes(0); // a fresh start: the group's full retry budget applies again
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }
}
