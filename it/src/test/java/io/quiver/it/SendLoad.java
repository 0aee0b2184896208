package io.quiver.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * Sender threads of the official producer that send to one topic until stopped, keeping what was
 * acknowledged (SEND_OK) with its body. A send that fails (the broker was killed) is simply not
 * acknowledged: it may or may not be stored.
 */
final class SendLoad {
    /** One acknowledged send. */
    record Acked(SendResult result, String body) {}

    private final ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code threads} senders; each body comes from {@code bodies} (thread-safe). */
    SendLoad(DefaultMQProducer producer, String topic, int threads, Supplier<String> bodies) {
        for (int t = 0; t < threads; t++) {
            Thread s = new Thread(() -> {
                while (!stop.get()) {
                    String body = bodies.get();
                    try {
                        SendResult r = producer.send(new Message(topic, body.getBytes(StandardCharsets.UTF_8)));
                        if (r.getSendStatus() == SendStatus.SEND_OK) {
                            acked.add(new Acked(r, body));
                        }
                    } catch (Exception e) {
                        // the broker is gone: not acknowledged
                    }
                }
            }, "send-load-" + t);
            s.start();
            this.threads.add(s);
        }
    }

    /** Stops the senders, waits for them, and returns what was acknowledged. */
    List<Acked> stop() throws InterruptedException {
        stop.set(true);
        for (Thread s : threads) {
            s.join(10_000);
        }
        return new ArrayList<>(acked);
    }
}
