package io.quiver.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/** One measured run: messages, time, latency, failures, the broker's and the client's CPU; printed as one JSON line. */
record Result(String workload, String target, long messages, double seconds, int messageBytes, Histogram latencyMicros,
              long failures, long brokerCpuNanos, long clientCpuNanos) {
    private static final ObjectMapper JSON = new ObjectMapper();

    double msgsPerSecond() {
        return messages / seconds;
    }

    double mbPerSecond() {
        return messages * (double) messageBytes / seconds / (1024 * 1024);
    }

    /** Broker CPU microseconds per message (name server included; it is idle during a run). */
    double cpuMicrosPerMessage() {
        return messages == 0 ? Double.NaN : brokerCpuNanos / 1000.0 / messages;
    }

    /** The load tool's own CPU microseconds per message: the official client's cost, on the same cores. */
    double clientCpuMicrosPerMessage() {
        return messages == 0 ? Double.NaN : clientCpuNanos / 1000.0 / messages;
    }

    double percentileMillis(double p) {
        return latencyMicros == null || latencyMicros.getTotalCount() == 0 ? Double.NaN
            : latencyMicros.getValueAtPercentile(p) / 1000.0;
    }

    String line() {
        ObjectNode o = JSON.createObjectNode().put("workload", workload).put("target", target)
            .put("messages", messages).put("seconds", round(seconds)).put("msgsPerSec", round(msgsPerSecond()))
            .put("mbPerSec", round(mbPerSecond())).put("failures", failures)
            .put("brokerCpuMicrosPerMsg", round(cpuMicrosPerMessage()))
            .put("clientCpuMicrosPerMsg", round(clientCpuMicrosPerMessage()));
        if (latencyMicros != null && latencyMicros.getTotalCount() > 0) {
            o.put("p50Ms", round(percentileMillis(50))).put("p99Ms", round(percentileMillis(99)))
                .put("p999Ms", round(percentileMillis(99.9))).put("maxMs", round(latencyMicros.getMaxValue() / 1000.0));
        }
        return "RESULT " + o;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? -1 : Math.round(v * 100) / 100.0;
    }
}
