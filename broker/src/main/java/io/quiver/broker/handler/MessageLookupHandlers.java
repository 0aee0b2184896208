package io.quiver.broker.handler;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import io.quiver.store.MessageReader;
import java.nio.ByteBuffer;

/**
 * VIEW_MESSAGE_BY_ID and QUERY_MESSAGE (fact sheet §9.1): a message by its offset id, or by key within a
 * time range, each verified before it is returned. Pull pool (reads may fault pages in).
 */
public final class MessageLookupHandlers {
    private final MessageReader store;

    public MessageLookupHandlers(MessageReader store) {
        this.store = store;
    }

    public void viewMessage(RequestContext ctx, RemotingCommand req) {
        long offset = RequestHeaders.ViewMessageById.decode(req).offset();
        ByteBuffer record = store.recordAt(offset);
        if (record == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "can not find message by the offset, " + offset);
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).bodyViews(record));
    }

    /** Most messages one QUERY_MESSAGE returns: by unique key, and by key (fact sheet §9.1). */
    public static final int MAX_QUERY_UNIQUE = 32;

    public static final int MAX_QUERY_KEY = 64;

    /** QUERY_MESSAGE: by KEYS word, or by UNIQ_KEY when the ext field _UNIQUE_KEY_QUERY is "true". */
    public void queryMessage(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.QueryMessage h = RequestHeaders.QueryMessage.decode(req);
        String topic = h.topic();
        String key = h.key();
        int maxNum = h.maxNum();
        long begin = h.beginTimestamp();
        long end = h.endTimestamp();
        boolean unique = h.uniqueKey();
        int max = Math.max(1, Math.min(maxNum, unique ? MAX_QUERY_UNIQUE : MAX_QUERY_KEY));
        java.util.List<ByteBuffer> found = store.query(topic, key, unique, max, begin, end);
        if (found.isEmpty()) {
            ctx.reply(ResponseCode.QUERY_NOT_FOUND, "no message of topic " + topic + " with "
                + (unique ? "unique key " : "key ") + key + " in the given time range");
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null)
            .putExt("indexLastUpdateTimestamp", System.currentTimeMillis())
            .putExt("indexLastUpdatePhyoffset", store.indexedUpTo())
            .bodyViews(found.toArray(new ByteBuffer[0])));
    }
}
