package io.quiver.broker.assignment;

import java.util.ArrayList;
import java.util.List;

/**
 * The official clients' queue allocation strategies, computed by the broker for consumers that let it rebalance
 * (5.x {@code setClientRebalance(false)}): given every queue and every client of a group, both sorted, the queues of
 * one client. Each client gets what its own client-side strategy would give it, so brokers and clients agree.
 */
public final class Allocation {
    private Allocation() {}

    /** The strategies the official clients name; others are unknown. */
    public static boolean known(String strategy) {
        return "AVG".equals(strategy) || "AVG_BY_CIRCLE".equals(strategy);
    }

    /**
     * The queues of {@code client} under {@code strategy}: "AVG" gives each client a contiguous share (the first
     * {@code queues % clients} clients one more), "AVG_BY_CIRCLE" deals the queues round. Empty when the client is
     * not in {@code clients}.
     */
    public static <Q> List<Q> allocate(String strategy, List<Q> queues, List<String> clients, String client) {
        int index = clients.indexOf(client);
        List<Q> out = new ArrayList<>();
        if (index < 0 || queues.isEmpty()) {
            return out;
        }
        int n = queues.size();
        int c = clients.size();
        if ("AVG_BY_CIRCLE".equals(strategy)) {
            for (int i = index; i < n; i += c) {
                out.add(queues.get(i));
            }
            return out;
        }
        int mod = n % c;
        int share = n <= c ? 1 : (mod > 0 && index < mod ? n / c + 1 : n / c);
        int start = mod > 0 && index < mod ? index * share : index * share + mod;
        int range = Math.min(share, n - start);
        for (int i = 0; i < range; i++) {
            out.add(queues.get((start + i) % n));
        }
        return out;
    }
}
