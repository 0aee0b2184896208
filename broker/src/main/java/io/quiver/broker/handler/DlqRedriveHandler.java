package io.quiver.broker.handler;

import io.quiver.broker.BrokerContext;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.header.HeaderReader;
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
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
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

    private final BrokerContext broker;

    public DlqRedriveHandler(BrokerContext broker) {
        this.broker = broker;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        HeaderReader r = new HeaderReader(req);
        String group = r.string("group");
        long since = r.optInt64("since", -1);
        int limit = Math.max(1, Math.min(MAX_PER_REQUEST, r.optInt32("limit", MAX_PER_REQUEST)));
        String dlq = TopicNames.dlqTopic(group);
        String retry = TopicNames.retryTopic(group);
        MessageStore store = broker.store();
        long max = store.maxOffset(dlq, 0);
        long from = Math.max(Math.max(0, store.minOffset(dlq, 0)), broker.offsets().get(PROGRESS_GROUP, dlq, 0));
        if (since >= 0) {
            from = Math.max(from, store.offsetForTimestamp(dlq, 0, since, MessageStore.TimeBoundary.LOWER));
        }
        SubscriptionGroupConfig g = broker.groups().findOrCreate(group, broker.config().autoCreateSubscriptionGroup);
        int retryQueues = g == null ? 1 : Math.max(1, g.retryQueueNums);
        if (max > from && broker.topics().get(retry) == null) {
            broker.topics().createIfAbsent(retry, retryQueues, PermName.READ_WRITE);
            broker.registerWithNameServersSoon();
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
            PutResult put = store.put(drafts, true).join();
            if (!put.isStored()) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "redrive stopped after " + moved + " message(s): " + put.remark());
                return;
            }
            moved += drafts.size();
            from = got.nextBeginOffset();
            broker.offsets().commit(PROGRESS_GROUP, dlq, 0, from);
        }
        broker.offsets().persist();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("brokerName", broker.config().brokerName);
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
        d.storeHost(broker.storeHostBytes());
        d.storePort(broker.config().listenPort);
        d.reconsumeTimes(0); // a fresh start: the group's full retry budget applies again
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }
}
