package io.quiver.it;

import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Produces and reads back messages in its own JVM, so that JVM-wide client settings (such as
 * {@code rocketmq.serialize.type}, {@code tls.*}) apply to it alone. Args: namesrv topic count. Prints RECEIVED lines,
 * then DONE; on failure FAILED and the error, exit code 2.
 */
public final class ChildRoundTrip {
    public static void main(String[] args) {
        try {
            roundTrip(args);
            System.exit(0);
        } catch (Exception | Error e) {
            System.out.println("FAILED " + e);
            System.exit(2); // the client's own threads would keep this JVM alive
        }
    }

    private static void roundTrip(String[] args) throws Exception {
        String namesrv = args[0];
        String topic = args[1];
        int count = Integer.parseInt(args[2]);
        DefaultMQProducer p = new DefaultMQProducer("PG_child");
        p.setNamesrvAddr(namesrv);
        p.start();
        p.send(new Message(topic, "seed".getBytes()));
        long deadline = System.currentTimeMillis() + 20_000;
        while (p.fetchPublishMessageQueues(topic).size() < 4 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        MessageQueue q = p.fetchPublishMessageQueues(topic).get(0);
        long start = p.maxOffset(q);
        for (int i = 0; i < count; i++) {
            Message m = new Message(topic, "Tag", "k" + i, ("binary-" + i).getBytes());
            p.send(m, q);
        }
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("CG_child");
        c.setNamesrvAddr(namesrv);
        c.setAutoCommit(false);
        c.start();
        MessageQueue cq = new MessageQueue(topic, q.getBrokerName(), q.getQueueId());
        c.assign(List.of(cq));
        c.seek(cq, start);
        List<MessageExt> got = new ArrayList<>();
        while (got.size() < count && System.currentTimeMillis() < deadline + 20_000) {
            got.addAll(c.poll(500));
        }
        for (MessageExt m : got) {
            System.out.println("RECEIVED " + new String(m.getBody()) + " " + m.getKeys() + " " + m.getQueueOffset());
        }
        c.shutdown();
        p.shutdown();
        System.out.println("DONE");
    }
}
