package io.quiver.broker.handler;

import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.remoting.RequestContext;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store maintenance commands of mqadmin: deleteExpiredCommitLog (329) and cleanExpiredCQ (306) run a retention
 * pass now (Quiver trims consume queues with the commit log, so one pass does both); queryCq (321) shows a queue's
 * entries. cleanUnusedTopic (316) is refused with the reason: a deleted topic's queues go with retention.
 */
public final class StoreMaintenanceHandlers {
    private static final Logger log = LoggerFactory.getLogger(StoreMaintenanceHandlers.class);
    /** Most entries one queryCq answer holds. */
    static final int MAX_ENTRIES = 1_000;

    private final MessageStore store;
    private final ClientRegistry clients;

    public StoreMaintenanceHandlers(MessageStore store, ClientRegistry clients) {
        this.store = store;
        this.clients = clients;
    }

    /** DELETE_EXPIRED_COMMITLOG and CLEAN_EXPIRED_CONSUMEQUEUE: one retention pass, now. */
    public void retentionNow(RequestContext ctx, RemotingCommand req) {
        int deleted = store.runRetention();
        log.info("retention pass requested by {}: {} segment(s) deleted", ctx.remoteAddress(), deleted);
        ctx.reply(ResponseCode.SUCCESS, null);
    }

    public void cleanUnusedTopic(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, "cleanUnusedTopic is not supported: the queues of a deleted "
            + "topic hold no data once retention has deleted the commit-log segments they point into "
            + "(deleteExpiredCommitLog runs retention now)");
    }

    /** QUERY_CONSUME_QUEUE: entries of one queue, as RocketMQ's QueryConsumeQueueResponseBody. */
    public void queryConsumeQueue(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.ConsumeQueueRange h = RequestHeaders.ConsumeQueueRange.decode(req);
        long max = store.maxOffset(h.topic(), h.queueId());
        if (store.queueCount(h.topic()) <= h.queueId() || h.queueId() < 0 || max < 0) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, String.format("%d@%s is not exist!", h.queueId(), h.topic()));
            return;
        }
        long min = store.minOffset(h.topic(), h.queueId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("maxQueueIndex", max);
        body.put("minQueueIndex", min);
        if (h.consumerGroup() != null) {
            ConsumerGroupState g = clients.consumerGroup(h.consumerGroup());
            Object sub = g == null ? null : g.subscription(h.topic());
            if (sub == null) {
                body.put("filterData", String.format("%s@%s is not online!", h.consumerGroup(), h.topic()));
            } else {
                body.put("subscriptionData", sub);
            }
        }
        RemotingCommand resp = ctx.response(ResponseCode.SUCCESS, null);
        if (h.index() < min || h.index() >= max) {
            resp.remark(String.format("Index %d of %d@%s is not exist!", h.index(), h.queueId(), h.topic()));
        } else {
            int count = Math.max(0, Math.min(h.count(), MAX_ENTRIES));
            GetResult r = store.get(h.topic(), h.queueId(), h.index(), count, MessageStore.MAX_BYTES_PER_READ,
                MessageFilter.ALL);
            try {
                List<Map<String, Object>> entries = new ArrayList<>();
                for (ByteBuffer b : r.records()) {
                    long offset = b.getLong(b.position() + MessageRecord.POS_QUEUE_OFFSET);
                    Long tags = store.tagsCodeAt(h.topic(), h.queueId(), offset);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("eval", false);
                    e.put("physicOffset", b.getLong(b.position() + MessageRecord.POS_PHYSICAL_OFFSET));
                    e.put("physicSize", b.getInt(b.position()));
                    e.put("tagsCode", tags == null ? 0 : tags);
                    entries.add(e);
                }
                body.put("queueData", entries);
            } finally {
                r.release();
            }
        }
        ctx.reply(resp.body(Json.encode(body)));
    }
}
