package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.body.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last hour of the cluster's figures, in memory, for the console's sparklines: every {@link #EVERY_MILLIS} the
 * messages per second in and out, each group's lag and each topic's messages stored so far (its
 * offsets: the console shows their change as messages per second). At most {@link #POINTS} samples per
 * series and {@link #MAX_SERIES} series; a series not seen for a whole window is dropped.
 */
final class ConsoleHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleHistory.class);
    static final long EVERY_MILLIS = 10_000;
    /** One hour of samples. */
    static final int POINTS = 360;
    static final int MAX_SERIES = 128;

    private final Supplier<AdminClient> client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quiver-console-history");
        t.setDaemon(true);
        return t;
    });
    /** Guarded by this. Sample times, oldest first, and each series' values aligned with them (null: not sampled). */
    private final List<Long> times = new ArrayList<>();
    private final Map<String, List<Double>> series = new LinkedHashMap<>();

    ConsoleHistory(Supplier<AdminClient> client) {
        this.client = client;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::sampleQuietly, 0, EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        try {
            sample(client.get(), System.currentTimeMillis());
        } catch (RuntimeException | java.io.IOException e) {
            log.debug("console history: sample failed: {}", e.toString());
        }
    }

    void sample(AdminClient c, long now) throws java.io.IOException {
        Map<String, Double> values = new LinkedHashMap<>();
        double in = 0;
        double out = 0;
        for (JsonNode b : ClusterCommand.clusterJson(c)) {
            in += number(b.path("inTps").asText());
            out += number(b.path("outTps").asText());
        }
        values.put("tps.in", in);
        values.put("tps.out", out);
        for (JsonNode g : GroupCommand.listJson(c, false)) {
            if (values.size() >= MAX_SERIES / 2) {
                break;
            }
            values.put("lag." + g.path("group").asText(), g.path("lag").asDouble());
        }
        for (String t : TopicCommand.ListTopics.names(c, false)) {
            if (values.size() >= MAX_SERIES) {
                break;
            }
            try {
                values.put("stored." + t, TopicCommand.Describe.describeJson(c, t).path("stored").asDouble());
            } catch (Failure gone) {
                // deleted meanwhile
            }
        }
        record(now, values);
    }

    synchronized void record(long now, Map<String, Double> values) {
        times.add(now);
        for (Map.Entry<String, Double> v : values.entrySet()) {
            List<Double> s = series.get(v.getKey());
            if (s == null) {
                if (series.size() >= MAX_SERIES) {
                    continue;
                }
                s = new ArrayList<>();
                series.put(v.getKey(), s);
            }
            while (s.size() < times.size() - 1) {
                s.add(null);
            }
            s.add(v.getValue());
        }
        for (List<Double> s : series.values()) {
            while (s.size() < times.size()) {
                s.add(null);
            }
        }
        if (times.size() > POINTS) {
            times.remove(0);
            series.values().forEach(s -> s.remove(0));
        }
        series.values().removeIf(s -> s.stream().allMatch(java.util.Objects::isNull));
    }

    synchronized ObjectNode json() {
        ObjectNode o = Json.mapper().createObjectNode().put("everyMillis", EVERY_MILLIS);
        o.set("times", Json.mapper().valueToTree(times));
        o.set("series", Json.mapper().valueToTree(series));
        return o;
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
