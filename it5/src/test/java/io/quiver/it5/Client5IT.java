package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the official 5.1.4 remoting client: the paths where 5.x differs on the wire
 * (LITE_PULL_MESSAGE 361, batch-level UNIQ_KEY, extra heartbeat fields, boundary-typed time search).
 */
@Timeout(180)
class Client5IT {
    private static QuiverProcess quiver;
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        quiver = new QuiverProcess(Files.createTempDirectory("quiver-it5-"),
            java.util.Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start();
    }

    @AfterAll
    static void stop() {
        quiver.close();
    }

    @AfterEach
    void cleanUp() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            cleanups.get(i).run();
        }
        cleanups.clear();
    }

    private static String unique(String p) {
        return p + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private DefaultMQProducer producer() throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(unique("PG"));
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(unique("p"));
        p.start();
        cleanups.add(p::shutdown);
        return p;
    }

    private String newTopic(DefaultMQProducer p) throws Exception {
        String topic = unique("T");
        p.send(new Message(topic, "seed".getBytes()));
        await().atMost(Duration.ofSeconds(20)).until(() -> p.fetchPublishMessageQueues(topic).size() == 4);
        return topic;
    }

    private DefaultLitePullConsumer lite(String group) throws Exception {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("l"));
        c.setAutoCommit(false);
        cleanups.add(c::shutdown);
        return c;
    }

    private static List<MessageExt> poll(DefaultLitePullConsumer c, int n) {
        List<MessageExt> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (out.size() < n && System.currentTimeMillis() < deadline) {
            out.addAll(c.poll(500));
        }
        return out;
    }

    private static List<MessageQueue> sorted(java.util.Collection<MessageQueue> qs) {
        List<MessageQueue> l = new ArrayList<>(qs);
        l.sort(null);
        return l;
    }

    @Test
    void sendAndLitePullWithCode361RoundTripMessages() throws Exception {
        DefaultMQProducer p = producer();
        String topic = newTopic(p);
        MessageQueue pq = sorted(p.fetchPublishMessageQueues(topic)).get(2);
        List<SendResult> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Message m = new Message(topic, "Tag" + i, "key-" + i, ("five-" + i).getBytes(StandardCharsets.UTF_8));
            m.putUserProperty("n", Integer.toString(i));
            sent.add(p.send(m, pq));
        }
        assertThat(sent).allMatch(r -> r.getSendStatus() == SendStatus.SEND_OK);
        DefaultLitePullConsumer c = lite(unique("CG"));
        c.start();
        MessageQueue q = sorted(c.fetchMessageQueues(topic)).get(2);
        c.assign(List.of(q));
        c.seek(q, sent.get(0).getQueueOffset());
        List<MessageExt> got = poll(c, 10);
        assertThat(got).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(new String(got.get(i).getBody(), StandardCharsets.UTF_8)).isEqualTo("five-" + i);
            assertThat(got.get(i).getMsgId()).isEqualTo(sent.get(i).getMsgId());
            assertThat(got.get(i).getUserProperty("n")).isEqualTo(Integer.toString(i));
            assertThat(got.get(i).getQueueOffset()).isEqualTo(sent.get(i).getQueueOffset());
        }
    }

    @Test
    void batchMembersKeepDistinctMessageIdsWith5xClients() throws Exception {
        DefaultMQProducer p = producer();
        String topic = newTopic(p);
        MessageQueue pq = sorted(p.fetchPublishMessageQueues(topic)).get(0);
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(new Message(topic, ("b-" + i).getBytes()));
        }
        SendResult r = p.send(batch, pq);
        String[] ids = r.getMsgId().split(",");
        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        DefaultLitePullConsumer c = lite(unique("CG"));
        c.start();
        MessageQueue q = sorted(c.fetchMessageQueues(topic)).get(0);
        c.assign(List.of(q));
        c.seek(q, r.getQueueOffset());
        List<MessageExt> got = poll(c, 5);
        assertThat(got.stream().map(MessageExt::getMsgId)).containsExactly(ids);
    }

    @Test
    void pushConsumerReceivesEveryMessage() throws Exception {
        DefaultMQProducer p = producer();
        String topic = newTopic(p);
        List<String> seen = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(unique("CG"));
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("c"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(new String(m.getBody())));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        cleanups.add(c::shutdown);
        for (int i = 0; i < 50; i++) {
            p.send(new Message(topic, ("p-" + i).getBytes()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.stream().filter(s -> s.startsWith("p-")).count() >= 50);
        assertThat(seen.stream().filter(s -> s.startsWith("p-"))).doesNotHaveDuplicates().hasSize(50);
    }

    @Test
    void offsetForTimestampUsesTheLowerBoundary() throws Exception {
        DefaultMQProducer p = producer();
        String topic = newTopic(p);
        MessageQueue pq = sorted(p.fetchPublishMessageQueues(topic)).get(1);
        for (int i = 0; i < 3; i++) {
            p.send(new Message(topic, ("early-" + i).getBytes()), pq);
        }
        Thread.sleep(300);
        long between = System.currentTimeMillis();
        Thread.sleep(1_500);
        for (int i = 0; i < 3; i++) {
            p.send(new Message(topic, ("late-" + i).getBytes()), pq);
        }
        DefaultLitePullConsumer c = lite(unique("CG"));
        c.start();
        MessageQueue q = sorted(c.fetchMessageQueues(topic)).get(1);
        c.assign(List.of(q));
        c.seek(q, c.offsetForTimestamp(q, between));
        List<MessageExt> got = poll(c, 3);
        assertThat(got.stream().map(m -> new String(m.getBody()))).containsExactly("late-0", "late-1", "late-2");
    }
}
