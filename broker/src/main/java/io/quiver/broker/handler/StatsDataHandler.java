package io.quiver.broker.handler;

import io.quiver.broker.metrics.StatsWindows;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VIEW_BROKER_STATS_DATA (315): one statistics item's last minute, hour and day (mqadmin statsAll, exportMetrics,
 * the dashboard's TPS charts). An item never counted is answered SYSTEM_ERROR "The stats NAME KEY not exist", as
 * RocketMQ answers (its tools read that as 0).
 */
public final class StatsDataHandler {
    private final StatsWindows stats;

    public StatsDataHandler(StatsWindows stats) {
        this.stats = stats;
    }

    public void statsData(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.StatsItem h = RequestHeaders.StatsItem.decode(req);
        StatsWindows.Item item = stats.item(h.statsName(), h.statsKey());
        if (item == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "The stats " + h.statsName() + " " + h.statsKey() + " not exist");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statsDay", window(item.day()));
        body.put("statsHour", window(item.hour()));
        body.put("statsMinute", window(item.minute()));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    private static Map<String, Object> window(StatsWindows.Window w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("avgpt", w.avgpt());
        m.put("sum", w.sum());
        m.put("tps", w.tps());
        return m;
    }
}
