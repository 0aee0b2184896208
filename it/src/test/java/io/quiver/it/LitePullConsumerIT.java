package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the official 4.9.8 DefaultLitePullConsumer (assign, seek, poll, commit, subscribe)
 * and what survives a broker restart.
 */
@Timeout(180)
class LitePullConsumerIT extends QuiverIT {

    private static List<MessageExt> pollUntil(DefaultLitePullConsumer c, int n) {
        List<MessageExt> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (out.size() < n && System.currentTimeMillis() < deadline) {
            out.addAll(c.poll(500));
        }
        return out;
    }

    @Test
    void assignSeekPollAndCommitThenResumeAfterBrokerRestart() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue q0 = sortedQueues(p.fetchPublishMessageQueues(topic)).get(0);
        for (int i = 0; i < 30; i++) {
            p.send(new Message(topic, ("m-" + i).getBytes()), q0);
        }
        long base = p.getDefaultMQProducerImpl().getmQClientFactory().getMQAdminImpl().maxOffset(q0) - 30;
        String group = unique("CG");

        DefaultLitePullConsumer c = litePullConsumer(group);
        c.setAutoCommit(false);
        c.setPullBatchSize(5);
        c.start();
        MessageQueue q = sortedQueues(c.fetchMessageQueues(topic)).get(0);
        c.assign(List.of(q));
        c.seek(q, base + 10);
        List<MessageExt> got = pollUntil(c, 10);
        assertThat(got.get(0).getQueueOffset()).isEqualTo(base + 10);
        assertThat(body(got.get(0))).isEqualTo("m-10");
        long next = got.get(got.size() - 1).getQueueOffset() + 1;
        c.commit(java.util.Set.of(q), true); // commits the consumed position: one past the last polled message
        await().atMost(Duration.ofSeconds(10)).until(() -> c.committed(q) == next);
        c.shutdown();

        assertThat(quiver.stop()).as("exit status after SIGTERM").isIn(0, 143);
        assertThat(quiver.output()).anyMatch(l -> l.contains("Quiver stopped cleanly"));
        quiver.start();
        DefaultMQProducer p2 = producer();
        p2.send(new Message(topic, "after-restart".getBytes()), q);

        DefaultLitePullConsumer again = litePullConsumer(group);
        again.setAutoCommit(false);
        again.start();
        MessageQueue q2 = sortedQueues(again.fetchMessageQueues(topic)).get(0);
        assertThat(again.committed(q2)).isEqualTo(next);
        again.assign(List.of(q2));
        again.seek(q2, again.committed(q2));
        List<MessageExt> rest = pollUntil(again, (int) (base + 31 - next));
        assertThat(rest.get(0).getQueueOffset()).isEqualTo(next);
        assertThat(body(rest.get(rest.size() - 1))).isEqualTo("after-restart");
        List<String> bodies = rest.stream().map(QuiverIT::body).toList();
        assertThat(bodies).doesNotHaveDuplicates().contains("m-29");
    }

    @Test
    void seekToBeginEndAndOffsetForTimestamp() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue pq = sortedQueues(p.fetchPublishMessageQueues(topic)).get(1);
        for (int i = 0; i < 5; i++) {
            p.send(new Message(topic, ("early-" + i).getBytes()), pq);
        }
        // Like RocketMQ 5.x brokers, Quiver answers every client with the first message stored at or after the
        // time. The time sits much closer to the early messages, so a 4.9 broker's "nearest" would be early-4.
        Thread.sleep(100);
        long between = System.currentTimeMillis();
        Thread.sleep(2_000);
        for (int i = 0; i < 5; i++) {
            p.send(new Message(topic, ("late-" + i).getBytes()), pq);
        }
        DefaultLitePullConsumer c = litePullConsumer(unique("CG"));
        c.setAutoCommit(false);
        c.start();
        MessageQueue q = sortedQueues(c.fetchMessageQueues(topic)).get(1);
        c.assign(List.of(q));
        Long fromTime = c.offsetForTimestamp(q, between);
        c.seek(q, fromTime);
        List<MessageExt> late = pollUntil(c, 5);
        assertThat(late.stream().map(QuiverIT::body)).containsExactly("late-0", "late-1", "late-2", "late-3", "late-4");

        c.seekToBegin(q);
        List<MessageExt> all = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (all.stream().noneMatch(m -> body(m).equals("late-4")) && System.currentTimeMillis() < deadline) {
            all.addAll(c.poll(500));
        }
        assertThat(all.get(0).getQueueOffset()).isZero();
        assertThat(all.stream().map(QuiverIT::body)).contains("early-0", "late-4").doesNotHaveDuplicates();

        c.seekToEnd(q);
        p.send(new Message(topic, "tail".getBytes()), pq);
        List<MessageExt> tail = pollUntil(c, 1);
        assertThat(tail.stream().map(QuiverIT::body)).containsExactly("tail");
    }

    @Test
    void subscribeModeWithAutoCommitDeliversEachMessageOnce() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        String seed = ensureTopic(p, topic);
        DefaultLitePullConsumer c = litePullConsumer(unique("CG"));
        c.subscribe(topic, "*");
        c.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.start();
        for (int i = 0; i < 20; i++) {
            p.send(new Message(topic, ("s-" + i).getBytes()));
        }
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (counts.keySet().stream().filter(b -> b.startsWith("s-")).count() < 20 && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(500)) {
                counts.merge(body(m), 1, Integer::sum);
            }
        }
        assertThat(counts).containsKey(seed);
        assertThat(counts.keySet().stream().filter(b -> b.startsWith("s-")).count()).isEqualTo(20);
        assertThat(counts.values()).allMatch(n -> n == 1);
    }
}
