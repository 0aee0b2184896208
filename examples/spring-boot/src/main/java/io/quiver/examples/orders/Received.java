package io.quiver.examples.orders;

import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What the listeners consumed, newest last (bounded), so the application (and its test) can show it. A real
 * service would act on each message instead.
 */
@Component
public class Received {
    /** Most messages remembered per listener. */
    static final int LIMIT = 10_000;

    /** One consumed message: the listener, its body, and when it arrived. */
    public record Delivery(String listener, String body, long atMillis) {
    }

    private final List<Delivery> all = new ArrayList<>();

    synchronized void add(String listener, String body) {
        if (all.size() >= LIMIT) {
            all.remove(0);
        }
        all.add(new Delivery(listener, body, System.currentTimeMillis()));
    }

    /** The bodies {@code listener} consumed, in order. */
    public synchronized List<String> bodies(String listener) {
        return all.stream().filter(d -> d.listener().equals(listener)).map(Delivery::body).toList();
    }

    public synchronized List<Delivery> of(String listener) {
        return all.stream().filter(d -> d.listener().equals(listener)).toList();
    }
}
