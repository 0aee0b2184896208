package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: every send mode of the official 4.9.8 DefaultMQProducer against Quiver, with each
 * message read back (by a lite pull consumer) and compared field by field.
 */
@Timeout(120)
class ProducerIT extends QuiverIT {

    /** Reads every message of {@code topic} from the start, until {@code expected} have arrived. */
    private List<MessageExt> readAll(String topic, int expected) throws Exception {
        DefaultLitePullConsumer c = litePullConsumer(unique("CG"));
        c.setAutoCommit(false);
        // A new group starts every queue at its first offset. No seekToBegin: in the 4.9.8 client a seek
        // interrupts the pull thread the queue's previous task last ran on, which may by then be pulling
        // another queue, so a seek can cost another queue its pull.
        c.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.start();
        // A topic created by its first send reaches the name server asynchronously: wait for its route.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !c.fetchMessageQueues(topic).isEmpty());
        List<MessageQueue> queues = sortedQueues(c.fetchMessageQueues(topic));
        c.assign(queues);
        // Keyed by queue offset, in case the client hands a batch over twice.
        java.util.Map<String, MessageExt> byOffset = new java.util.LinkedHashMap<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (byOffset.size() < expected && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(1_000)) {
                byOffset.putIfAbsent(m.getQueueId() + "@" + m.getQueueOffset(), m);
            }
        }
        if (byOffset.size() < expected) {
            StringBuilder sb = new StringBuilder("read " + byOffset.size() + " of " + expected + " from " + topic + ";");
            for (MessageQueue q : queues) {
                sb.append(" q").append(q.getQueueId()).append(" [").append(c.committed(q)).append(' ')
                    .append(c.offsetForTimestamp(q, 0L)).append(']');
            }
            List<String> out = quiver.output();
            System.err.println(sb + "\nbroker output (tail):\n"
                + String.join("\n", out.subList(Math.max(0, out.size() - 40), out.size())));
        }
        return new ArrayList<>(byOffset.values());
    }

    @Test
    void syncSendStoresMessageWithKeysTagsPropertiesAndNonAsciiBody() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        String text = "héllo wörld — 你好 — 🚀";
        Message m = new Message(topic, "TagA", "order-1 order-2", text.getBytes(StandardCharsets.UTF_8));
        m.putUserProperty("color", "blue");
        m.putUserProperty("size", "42");
        SendResult r = p.send(m);
        assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        assertThat(r.getOffsetMsgId()).hasSize(32);
        assertThat(r.getQueueOffset()).isZero();

        List<MessageExt> got = readAll(topic, 1);
        assertThat(got).hasSize(1);
        MessageExt e = got.get(0);
        assertThat(body(e)).isEqualTo(text);
        assertThat(e.getTags()).isEqualTo("TagA");
        assertThat(e.getKeys()).isEqualTo("order-1 order-2");
        assertThat(e.getUserProperty("color")).isEqualTo("blue");
        assertThat(e.getUserProperty("size")).isEqualTo("42");
        assertThat(e.getMsgId()).isEqualTo(r.getMsgId());
        assertThat(e.getQueueId()).isEqualTo(r.getMessageQueue().getQueueId());
        assertThat(e.getQueueOffset()).isEqualTo(r.getQueueOffset());
        assertThat(e.getStoreTimestamp()).isPositive();
    }

    @Test
    void bodyJustUnderFourMebibytesRoundTripsByteForByte() throws Exception {
        DefaultMQProducer p = producer();
        p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE); // store it raw, as large as allowed
        String topic = unique("T");
        byte[] big = new byte[4 * 1024 * 1024 - 1024];
        new java.util.Random(7).nextBytes(big);
        assertThat(p.send(new Message(topic, big)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        List<MessageExt> got = readAll(topic, 1);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).getBody()).isEqualTo(big);
    }

    @Test
    void compressedBodyIsStoredAsSentAndDecompressedByTheClient() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        String text = "compress me ".repeat(2_000); // > 4 KiB: the client compresses it
        p.send(new Message(topic, text.getBytes(StandardCharsets.UTF_8)));
        assertThat(body(readAll(topic, 1).get(0))).isEqualTo(text);
    }

    @Test
    void asyncAndOnewaySendsAreAllStored() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        p.send(new Message(topic, "warm-up".getBytes()));
        int n = 50;
        CountDownLatch done = new CountDownLatch(n);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            p.send(new Message(topic, ("async-" + i).getBytes()), new SendCallback() {
                @Override
                public void onSuccess(SendResult sendResult) {
                    done.countDown();
                }

                @Override
                public void onException(Throwable e) {
                    failures.add(e);
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failures).isEmpty();
        for (int i = 0; i < n; i++) {
            p.sendOneway(new Message(topic, ("oneway-" + i).getBytes()));
        }
        List<MessageExt> got = readAll(topic, 1 + 2 * n);
        List<String> bodies = got.stream().map(QuiverIT::body).toList();
        assertThat(bodies).hasSize(1 + 2 * n).doesNotHaveDuplicates();
        for (int i = 0; i < n; i++) {
            assertThat(bodies).contains("async-" + i, "oneway-" + i);
        }
    }

    @Test
    void batchMembersKeepTheirOwnIdsAndPropertiesWithConsecutiveOffsets() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(0);
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Message m = new Message(topic, "Tag" + (i % 2), "key-" + i, ("batch-" + i).getBytes());
            m.putUserProperty("index", Integer.toString(i));
            batch.add(m);
        }
        SendResult r = p.send(batch, q);
        assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        String[] ids = r.getMsgId().split(",");
        assertThat(ids).hasSize(10).doesNotHaveDuplicates();
        assertThat(r.getOffsetMsgId().split(",")).hasSize(10).doesNotHaveDuplicates();

        List<MessageExt> got = readAll(topic, 11);
        Map<String, MessageExt> byBody = new HashMap<>();
        got.forEach(m -> byBody.put(body(m), m));
        for (int i = 0; i < 10; i++) {
            MessageExt m = byBody.get("batch-" + i);
            assertThat(m).as("batch member %d", i).isNotNull();
            assertThat(m.getMsgId()).isEqualTo(ids[i]);
            assertThat(m.getUserProperty("index")).isEqualTo(Integer.toString(i));
            assertThat(m.getTags()).isEqualTo("Tag" + (i % 2));
            assertThat(m.getKeys()).isEqualTo("key-" + i);
            assertThat(m.getQueueId()).isEqualTo(q.getQueueId());
            assertThat(m.getQueueOffset()).isEqualTo(r.getQueueOffset() + i);
        }
    }

    @Test
    void sendToChosenQueueAndOrderedSendWithSelectorKeepPerQueueOrder() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        List<MessageQueue> queues = sortedQueues(p.fetchPublishMessageQueues(topic));
        assertThat(queues).hasSize(4);
        SendResult chosen = p.send(new Message(topic, "to-q2".getBytes()), queues.get(2));
        assertThat(chosen.getMessageQueue().getQueueId()).isEqualTo(2);

        int orders = 5;
        int steps = 20;
        for (int s = 0; s < steps; s++) {
            for (int o = 0; o < orders; o++) {
                SendResult r = p.send(new Message(topic, ("order-" + o + "-step-" + s).getBytes()),
                    (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), o);
                assertThat(r.getMessageQueue().getQueueId()).isEqualTo(o % 4);
            }
        }
        List<MessageExt> got = readAll(topic, 2 + orders * steps);
        assertThat(got).hasSize(2 + orders * steps);
        for (int o = 0; o < orders; o++) {
            String prefix = "order-" + o + "-";
            List<MessageExt> ofOrder = got.stream().filter(m -> body(m).startsWith(prefix)).toList();
            assertThat(ofOrder).hasSize(steps).allMatch(m -> m.getQueueId() == ofOrder.get(0).getQueueId());
            List<MessageExt> sorted = new ArrayList<>(ofOrder);
            sorted.sort((a, b) -> Long.compare(a.getQueueOffset(), b.getQueueOffset()));
            for (int s = 0; s < steps; s++) {
                assertThat(body(sorted.get(s))).isEqualTo(prefix + "step-" + s);
            }
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void adminCreatedTopicGetsTheRequestedQueues() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Admin");
        p.createTopic("TBW102", topic, 6); // UPDATE_AND_CREATE_TOPIC to every broker of TBW102
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(p.fetchPublishMessageQueues(topic)).hasSize(6));
        SendResult r = p.send(new Message(topic, "x".getBytes()), sortedQueues(p.fetchPublishMessageQueues(topic)).get(5));
        assertThat(r.getMessageQueue().getQueueId()).isEqualTo(5);
    }

    @Test
    void autoCreatedTopicHasARouteWithFourQueues() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        p.send(new Message(topic, "x".getBytes()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl()
                .getTopicRouteInfoFromNameServer(topic, 3_000).getQueueDatas().get(0).getWriteQueueNums()).isEqualTo(4));
    }
}
