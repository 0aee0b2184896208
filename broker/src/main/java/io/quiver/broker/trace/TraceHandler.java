package io.quiver.broker.trace;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import io.quiver.store.TraceLog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * QUIVER_QUERY_TRACE: the timeline of a message (by unique id, offset id or key) as this broker knows it. The body
 * is JSON: {@code broker, msgIds, events, truncated, dropped} (entries the trace store had to drop so far).
 */
public final class TraceHandler implements RequestHandler {
    /** Longest id or key accepted. */
    static final int MAX_ID_LENGTH = 512;

    private final String brokerName;
    private final TraceQuery query;
    private final TraceLog log;

    /** {@code query} and {@code log} null when the trace store is off. */
    public TraceHandler(String brokerName, TraceQuery query, TraceLog log) {
        this.brokerName = brokerName;
        this.query = query;
        this.log = log;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        if (query == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the trace store is off on broker " + brokerName
                + " (traceStoreEnable=false); only the clients' own trace (enableMsgTrace) can be queried, with mqadmin "
                + "queryMsgTraceById");
            return;
        }
        RequestHeaders.TraceQuery h = RequestHeaders.TraceQuery.decode(req);
        String id = h.id() == null ? "" : h.id().trim();
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            ctx.reply(ResponseCode.INVALID_PARAMETER, "give a message id, offset id or key of 1 to " + MAX_ID_LENGTH
                + " characters (id)");
            return;
        }
        if (h.begin() > h.end()) {
            ctx.reply(ResponseCode.INVALID_PARAMETER, "the time range is empty: begin " + h.begin() + " is after end "
                + h.end());
            return;
        }
        TraceQuery.Result r = query.trace(id, h.begin(), h.end());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("broker", brokerName);
        body.put("msgIds", r.msgIds());
        body.put("truncated", r.truncated());
        body.put("dropped", log.dropped());
        java.util.List<Map<String, Object>> events = new java.util.ArrayList<>(r.events().size());
        for (TraceEvent e : r.events()) {
            events.add(json(e));
        }
        body.put("events", events);
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    /** One event as the answer names its fields. */
    static Map<String, Object> json(TraceEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind().name());
        m.put("time", e.time());
        m.put("msgId", e.msgId());
        m.put("topic", e.topic());
        m.put("queueId", e.queueId());
        m.put("queueOffset", e.queueOffset());
        m.put("group", e.group());
        m.put("client", e.client());
        m.put("value", e.value());
        m.put("detail", e.detail());
        return m;
    }
}
