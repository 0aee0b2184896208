package io.quiver.it;

import io.quiver.testkit.HistoryChecker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Sender threads of the official producer for failover tests: each send has a unique key as its body; every
 * SEND_OK is kept with the queue offset it named, the broker that stored it and when it arrived; every key tried
 * is kept too. {@link #readAll} reads a topic back for {@link HistoryChecker}.
 */
final class FailoverLoad {
    /** One acknowledgement: what the checker needs, which broker gave it, and when the client had it. */
    record Ack(HistoryChecker.Acked acked, String broker, long atMillis) {}

    final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    final Set<String> attempted = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    FailoverLoad(DefaultMQProducer p, String topic, int senders) {
        for (int t = 0; t < senders; t++) {
            int sender = t;
            Thread th = new Thread(() -> {
                for (long seq = 0; !stop.get(); seq++) {
                    String key = "k-" + sender + "-" + seq;
                    attempted.add(key);
                    try {
                        SendResult r = p.send(new Message(topic, key.getBytes(StandardCharsets.UTF_8)));
                        if (r.getSendStatus() == SendStatus.SEND_OK) {
                            var host = (java.net.InetSocketAddress) MessageDecoder.decodeMessageId(r.getOffsetMsgId())
                                .getAddress();
                            acks.add(new Ack(new HistoryChecker.Acked(key, r.getMessageQueue().getBrokerName() + "/"
                                + r.getMessageQueue().getQueueId(), r.getQueueOffset(), sender, seq),
                                host.getAddress().getHostAddress() + ":" + host.getPort(), System.currentTimeMillis()));
                        }
                    } catch (Exception e) {
                        sleep(20); // not acknowledged: it may or may not be stored
                    }
                }
            }, "failover-sender-" + t);
            th.start();
            threads.add(th);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<HistoryChecker.Acked> acked() {
        return acks.stream().map(Ack::acked).toList();
    }

    long ackedAfter(long millis) {
        return acks.stream().filter(a -> a.atMillis() > millis).count();
    }

    long ackedBy(String broker, long afterMillis) {
        return acks.stream().filter(a -> a.broker().equals(broker) && a.atMillis() > afterMillis).count();
    }

    /** The longest time between two acknowledgements. */
    long longestGapMillis() {
        return longestGap()[1];
    }

    /** When the longest time without an acknowledgement began (epoch millis), and how long it was. */
    long[] longestGap() {
        List<Long> times = new ArrayList<>(acks.stream().map(Ack::atMillis).toList());
        times.sort(null);
        long gap = 0;
        long from = 0;
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) - times.get(i - 1) > gap) {
                gap = times.get(i) - times.get(i - 1);
                from = times.get(i - 1);
            }
        }
        return new long[] {from, gap};
    }

    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    /** Every message of {@code topic}, read queue by queue from the masters the name servers name now. */
    static List<HistoryChecker.Read> readAll(String namesrv, String topic) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer("CG_failover_read");
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("failover-read-" + System.nanoTime());
        c.start();
        try {
            List<HistoryChecker.Read> out = new ArrayList<>();
            for (MessageQueue mq : c.fetchSubscribeMessageQueues(topic)) {
                long max = c.maxOffset(mq);
                long offset = c.minOffset(mq);
                while (offset < max) {
                    PullResult r = c.pull(mq, "*", offset, 32, 10_000);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        throw new AssertionError("reading " + mq + " at " + offset + " of " + max + ": " + r.getPullStatus());
                    }
                    for (MessageExt m : r.getMsgFoundList()) {
                        out.add(new HistoryChecker.Read(new String(m.getBody(), StandardCharsets.UTF_8),
                            mq.getBrokerName() + "/" + mq.getQueueId(), m.getQueueOffset()));
                    }
                    offset = r.getNextBeginOffset();
                }
            }
            return out;
        } finally {
            c.shutdown();
        }
    }
}
