package io.quiver.broker.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the official clients' own trace (enableMsgTrace): the body of a message on the trace topic holds
 * records ended by char 2, with fields split by char 1 (docs/research/client-trace.md gives the field order of
 * each type). Only records about {@code msgId} are returned, as events of the CLIENT_ kinds.
 */
final class ClientTrace {
    private static final char FIELD = (char) 1;
    private static final char RECORD = (char) 2;
    private static final String[] CONSUME_RESULTS = {"success", "timed out", "threw an exception", "returned null",
        "failed"};

    private ClientTrace() {
    }

    /**
     * @param body       the trace message's body, as text
     * @param clientHost the address the trace message was sent from (its born host)
     * @param sentAt     when the trace message was born (a time for records that carry none)
     */
    static List<TraceEvent> eventsOf(String body, String msgId, String clientHost, long sentAt) {
        List<TraceEvent> out = new ArrayList<>();
        Map<String, Long> begins = new HashMap<>();
        for (String rec : body.split(String.valueOf(RECORD))) {
            String[] f = rec.split(String.valueOf(FIELD), -1);
            if (f.length < 2) {
                continue;
            }
            try {
                switch (f[0].trim()) {
                    case "Pub" -> {
                        if (f.length >= 14 && msgId.equals(f[5])) {
                            out.add(new TraceEvent(TraceEvent.Kind.CLIENT_SENT, Long.parseLong(f[1]), msgId, f[4], -1, -1,
                                f[3], clientHost, Long.parseLong(f[10]), ("true".equals(f[13]) ? "sent" : "send failed")
                                    + " to " + f[8] + ", " + f[9] + " bytes, offset id " + f[12]));
                        }
                    }
                    case "SubBefore" -> {
                        if (f.length >= 8 && msgId.equals(f[5])) {
                            long ts = Long.parseLong(f[1]);
                            begins.put(f[4], ts);
                            out.add(new TraceEvent(TraceEvent.Kind.CLIENT_CONSUME_BEGIN, ts, msgId, null, -1, -1, f[3],
                                clientHost, Long.parseLong(f[6]), "attempt " + (Long.parseLong(f[6]) + 1)));
                        }
                    }
                    case "SubAfter" -> {
                        if (f.length >= 5 && msgId.equals(f[2])) {
                            long cost = Long.parseLong(f[3]);
                            long ts = f.length >= 9 ? Long.parseLong(f[7])
                                : begins.containsKey(f[1]) ? begins.get(f[1]) + cost : sentAt;
                            String group = f.length >= 9 ? f[8] : null;
                            int code = f.length >= 7 ? parseInt(f[6]) : -1;
                            String result = code >= 0 && code < CONSUME_RESULTS.length ? CONSUME_RESULTS[code]
                                : "true".equals(f[4]) ? "success" : "failed";
                            out.add(new TraceEvent(TraceEvent.Kind.CLIENT_CONSUME_END, ts, msgId, null, -1, -1, group,
                                clientHost, cost, "consumed: " + result));
                        }
                    }
                    case "EndTransaction" -> {
                        if (f.length >= 13 && msgId.equals(f[5])) {
                            out.add(new TraceEvent(TraceEvent.Kind.CLIENT_TRANSACTION_END, Long.parseLong(f[1]), msgId,
                                f[4], -1, -1, f[3], clientHost, 0, f[11]
                                    + ("true".equals(f[12]) ? " (answering a check)" : "")));
                        }
                    }
                    default -> {
                        // a type of a later client: not shown
                    }
                }
            } catch (NumberFormatException e) {
                // a damaged record: skipped, the others are still read
            }
        }
        return out;
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
