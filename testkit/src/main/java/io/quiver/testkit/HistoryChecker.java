package io.quiver.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a history of sends against a full read of what the brokers hold, as Jepsen's queue checkers do: every
 * acknowledged send must be read exactly where it was acknowledged; nothing may be read that was never sent;
 * each queue's messages from one sender thread must keep their send order. Messages are told apart by a key
 * unique to each send (the test puts it in the body).
 */
public final class HistoryChecker {
    /** A send the broker acknowledged: the key, the queue ({@code brokerName/queueId}) and offset it named. */
    public record Acked(String key, String queue, long queueOffset, int sender, long seq) {}

    /** A message found by the full read. */
    public record Read(String key, String queue, long queueOffset) {}

    /**
     * What is wrong, each as readable lines (empty when the history is sound). {@code lost}: acknowledged and
     * never read. {@code moved}: read, but not at the queue and offset acknowledged. {@code duplicated}: read more
     * than once. {@code phantom}: read and never sent. {@code reordered}: one sender's acknowledged messages in one
     * queue at offsets out of send order. {@code retried}, not a fault: an acknowledged message also read elsewhere,
     * as when the producer tried again after an attempt whose outcome it never learned (a timeout, a closed
     * connection) although that attempt was stored; or a send never acknowledged whose attempts (at most
     * {@link #MAX_SEND_ATTEMPTS}, each in another queue) were stored: RocketMQ's sends are at least once.
     */
    public record Report(int acked, int read, List<String> lost, List<String> moved, List<String> duplicated,
                         List<String> phantom, List<String> reordered, List<String> retried) {
        public boolean sound() {
            return lost.isEmpty() && moved.isEmpty() && duplicated.isEmpty() && phantom.isEmpty() && reordered.isEmpty();
        }

        /** Counts, and the first few lines of each problem. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(acked).append(" acknowledged, ").append(read).append(" read; lost ").append(lost.size())
                .append(", moved ").append(moved.size()).append(", duplicated ").append(duplicated.size())
                .append(", phantom ").append(phantom.size()).append(", reordered ").append(reordered.size())
                .append("; stored twice by a producer's retry ").append(retried.size());
            for (List<String> l : List.of(lost, moved, duplicated, phantom, reordered, retried)) {
                l.stream().limit(5).forEach(line -> sb.append("\n  ").append(line));
            }
            return sb.toString();
        }
    }

    /** Most attempts of one send by the official producers (retryTimesWhenSendFailed 2, their default, plus one). */
    public static final int MAX_SEND_ATTEMPTS = 3;

    private HistoryChecker() {}

    /**
     * @param acked     every acknowledged send
     * @param attempted the key of every send tried, acknowledged or not (a read key outside it is a phantom)
     * @param read      everything a full read of the topic returned
     */
    public static Report check(Collection<Acked> acked, Set<String> attempted, Collection<Read> read) {
        Map<String, List<Read>> byKey = new HashMap<>();
        for (Read r : read) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>(1)).add(r);
        }
        List<String> lost = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> phantom = new ArrayList<>();
        List<String> reordered = new ArrayList<>();
        List<String> retried = new ArrayList<>();
        Map<String, Acked> ackedByKey = new HashMap<>();
        for (Acked a : acked) {
            ackedByKey.put(a.key(), a);
        }
        for (Acked a : acked) {
            List<Read> found = byKey.get(a.key());
            if (found == null) {
                lost.add(a.key() + " acknowledged at " + a.queue() + "@" + a.queueOffset() + " was not read");
            } else if (found.stream().noneMatch(r -> r.queue().equals(a.queue()) && r.queueOffset() == a.queueOffset())) {
                moved.add(a.key() + " acknowledged at " + a.queue() + "@" + a.queueOffset() + " was read at "
                    + found.stream().map(r -> r.queue() + "@" + r.queueOffset()).toList());
            }
        }
        Set<String> reported = new HashSet<>();
        for (Map.Entry<String, List<Read>> e : byKey.entrySet()) {
            if (e.getValue().size() > 1 && reported.add(e.getKey())) {
                Acked a = ackedByKey.get(e.getKey());
                String line = e.getKey() + " was read " + e.getValue().size() + " times: "
                    + e.getValue().stream().map(r -> r.queue() + "@" + r.queueOffset()).toList();
                boolean oneAtItsPlace = a != null && e.getValue().size() == 2 && e.getValue().stream()
                    .filter(r -> r.queue().equals(a.queue()) && r.queueOffset() == a.queueOffset()).count() == 1;
                // a send that failed in the end after attempts that were stored: each retry goes to another queue
                boolean failedAttempts = a == null && e.getValue().size() <= MAX_SEND_ATTEMPTS
                    && e.getValue().stream().map(Read::queue).distinct().count() == e.getValue().size();
                (oneAtItsPlace || failedAttempts ? retried : duplicated).add(line + (oneAtItsPlace ? ", acknowledged at "
                    + a.queue() + "@" + a.queueOffset() : failedAttempts ? ", never acknowledged" : ""));
            }
            if (!attempted.contains(e.getKey())) {
                phantom.add(e.getKey() + " was read at " + e.getValue().get(0).queue() + "@"
                    + e.getValue().get(0).queueOffset() + " but never sent");
            }
        }
        Map<String, List<Acked>> bySenderAndQueue = new HashMap<>();
        for (Acked a : acked) {
            bySenderAndQueue.computeIfAbsent(a.sender() + " " + a.queue(), k -> new ArrayList<>()).add(a);
        }
        for (List<Acked> l : bySenderAndQueue.values()) {
            l.sort(Comparator.comparingLong(Acked::seq));
            for (int i = 1; i < l.size(); i++) {
                if (l.get(i).queueOffset() <= l.get(i - 1).queueOffset()) {
                    reordered.add(l.get(i).key() + " (sent after " + l.get(i - 1).key() + ") is at " + l.get(i).queue()
                        + "@" + l.get(i).queueOffset() + ", not after " + l.get(i - 1).queueOffset());
                }
            }
        }
        return new Report(acked.size(), read.size(), lost, moved, duplicated, phantom, reordered, retried);
    }
}
