package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: retries with back-off and the dead-letter queue, delay levels, and delayed messages
 * surviving SIGKILL, with the official 4.9.8 clients. Delay table shortened (level 2 = 3 s, others 1 s).
 */
@Timeout(180)
class RetryAndDelayIT extends QuiverIT {

    protected static Map<String, String> brokerConf() {
        return Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
            "messageDelayLevel", "1s 3s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s");
    }

    record Delivery(String body, String msgId, String topic, int reconsumeTimes, long atMillis) {}

    private DefaultMQPushConsumer recording(String group, String topic, List<Delivery> seen, boolean fail) throws Exception {
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(2);
        c.setConsumeMessageBatchMaxSize(1);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                seen.add(new Delivery(body(m), m.getMsgId(), m.getTopic(), m.getReconsumeTimes(), System.currentTimeMillis()));
            }
            boolean poisoned = msgs.stream().anyMatch(m -> body(m).equals("poison"));
            return fail && poisoned ? ConsumeConcurrentlyStatus.RECONSUME_LATER : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    @Test
    void failedMessageComesBackWithBackOffThenLandsInTheDeadLetterQueue() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Retry");
        ensureTopic(p, topic);
        String group = unique("CG");
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        recording(group, topic, seen, true);
        Message msg = new Message(topic, "TagR", "key-r", "poison".getBytes());
        SendResult sent = p.send(msg);
        await().atMost(Duration.ofSeconds(60)).until(() ->
            seen.stream().filter(d -> d.body().equals("poison")).count() >= 3);
        List<Delivery> tries = seen.stream().filter(d -> d.body().equals("poison")).toList();
        assertThat(tries.stream().map(Delivery::reconsumeTimes).limit(3)).containsExactly(0, 1, 2);
        assertThat(tries).allMatch(d -> d.msgId().equals(sent.getMsgId())).allMatch(d -> d.topic().equals(topic));
        assertThat(tries.get(1).atMillis() - tries.get(0).atMillis()).as("back-off before a retry").isGreaterThanOrEqualTo(700);

        DefaultLitePullConsumer dlq = litePullConsumer(unique("DlqReader"));
        dlq.setAutoCommit(false);
        dlq.start();
        String dlqTopic = "%DLQ%" + group;
        await().atMost(Duration.ofSeconds(30)).until(() -> !dlq.fetchMessageQueues(dlqTopic).isEmpty());
        MessageQueue q = dlq.fetchMessageQueues(dlqTopic).iterator().next();
        dlq.assign(List.of(q));
        dlq.seekToBegin(q);
        List<MessageExt> dead = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (dead.isEmpty() && System.currentTimeMillis() < deadline) {
            dead.addAll(dlq.poll(500));
        }
        assertThat(dead).hasSize(1);
        assertThat(body(dead.get(0))).isEqualTo("poison");
        assertThat(dead.get(0).getMsgId()).isEqualTo(sent.getMsgId());
        assertThat(dead.get(0).getKeys()).isEqualTo("key-r");
        assertThat(dead.get(0).getProperty("RETRY_TOPIC")).isEqualTo(topic);
        assertThat(dead.get(0).getReconsumeTimes()).isEqualTo(3);
        Thread.sleep(2_500);
        assertThat(seen.stream().filter(d -> d.body().equals("poison"))).as("no delivery after the DLQ").hasSize(3);

        List<com.fasterxml.jackson.databind.JsonNode> life = trace(sent.getMsgId());
        assertThat(kinds(life)).contains("STORED", "DELIVERED", "RETRIED", "DEAD_LETTERED");
        com.fasterxml.jackson.databind.JsonNode dead0 = life.stream()
            .filter(e -> e.path("kind").asText().equals("DEAD_LETTERED")).findFirst().orElseThrow();
        assertThat(dead0.path("topic").asText()).isEqualTo(dlqTopic);
        assertThat(dead0.path("group").asText()).isEqualTo(group);
        assertThat(life.stream().filter(e -> e.path("kind").asText().equals("DELIVERED")
            && e.path("group").asText().equals(group))).as("three deliveries to the group").hasSize(3);
    }

    private static List<com.fasterxml.jackson.databind.JsonNode> trace(String id) throws Exception {
        String out = runCli("message", "trace", id, "--namesrv", quiver.namesrvAddr(), "--json");
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.substring(out.indexOf('['))).forEach(events::add);
        return events;
    }

    private static List<String> kinds(List<com.fasterxml.jackson.databind.JsonNode> events) {
        return events.stream().map(e -> e.path("kind").asText()).toList();
    }

    @Test
    void traceShowsEachStepOfAMessagesLifeWithTheClientsOwnTraceMerged() throws Exception {
        String topic = unique("Traced");
        String group = unique("CGT");
        DefaultMQProducer p = new DefaultMQProducer(unique("PGT"), true); // enableMsgTrace
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setSendMsgTimeout(10_000);
        p.setInstanceName(unique("traced-producer"));
        p.start();
        onCleanup(p::shutdown);
        ensureTopic(p, topic);
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group, true);
        c.setNamesrvAddr(quiver.namesrvAddr());
        c.setInstanceName(unique("traced-consumer"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setConsumeMessageBatchMaxSize(1);
        c.setPersistConsumerOffsetInterval(500);
        c.subscribe(topic, "*");
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            if (msgs.stream().anyMatch(m -> body(m).equals("traced")) && attempts.incrementAndGet() == 1) {
                ctx.setDelayLevelWhenNextConsume(1); // 1 s, then again
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        onCleanup(c::shutdown);
        SendResult sent = p.send(new Message(topic, "TagT", "order-77", "traced".getBytes()));
        String retryTopic = "%RETRY%" + group;

        java.util.concurrent.atomic.AtomicReference<List<String>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                List<String> k = kinds(trace(sent.getMsgId()));
                seen.set(k);
                return k.stream().filter("CONSUMED"::equals).count() >= 2 && k.contains("CLIENT_SENT")
                    && k.stream().filter("CLIENT_CONSUME_END"::equals).count() >= 2;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the trace never showed the whole life; last seen: " + seen.get()
                + " (consumer attempts: " + attempts.get() + ")", e);
        }
        List<com.fasterxml.jackson.databind.JsonNode> life = trace(sent.getMsgId());
        List<String> broker = kinds(life).stream().filter(k -> !k.startsWith("CLIENT_")).toList();
        assertThat(broker).containsSubsequence("STORED", "DELIVERED", "SCHEDULED", "RETRIED", "DELIVERED", "CONSUMED");
        com.fasterxml.jackson.databind.JsonNode stored = life.stream()
            .filter(e -> e.path("kind").asText().equals("STORED")).findFirst().orElseThrow();
        assertThat(stored.path("topic").asText()).isEqualTo(topic);
        assertThat(stored.path("queueId").asInt()).isEqualTo(sent.getMessageQueue().getQueueId());
        assertThat(stored.path("queueOffset").asLong()).isEqualTo(sent.getQueueOffset());
        assertThat(stored.path("client").asText()).startsWith("127.0.0.1:");
        assertThat(life).filteredOn(e -> e.path("kind").asText().equals("CONSUMED"))
            .extracting(e -> e.path("topic").asText()).containsExactlyInAnyOrder(topic, retryTopic);
        assertThat(life).filteredOn(e -> e.path("kind").asText().equals("CLIENT_CONSUME_END"))
            .extracting(e -> e.path("detail").asText()).containsExactly("consumed: failed", "consumed: success");
        assertThat(life).filteredOn(e -> e.path("kind").asText().equals("CLIENT_SENT"))
            .extracting(e -> e.path("group").asText()).containsExactly(p.getProducerGroup());

        // mqadmin reads the clients' own trace from the trace topic as on RocketMQ
        String mq = io.quiver.testkit.Mqadmin.run("queryMsgTraceById", "-n", quiver.namesrvAddr(), "-i", sent.getMsgId());
        assertThat(mq).contains("#ProducerGroup").contains(p.getProducerGroup()).contains("#ConsumerGroup")
            .contains(group).contains("failed").contains("success");

        // the same timeline by the message's key, and by its offset id
        assertThat(kinds(trace("order-77"))).containsAll(broker);
        assertThat(kinds(trace(sent.getOffsetMsgId()))).containsAll(broker);
    }

    @Test
    void traceQueriesWithBadInputAreAnsweredWithTheReason() throws Exception {
        org.apache.rocketmq.remoting.protocol.RemotingCommand tooLong =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(19_004, null);
        tooLong.addExtField("id", "x".repeat(600));
        org.apache.rocketmq.remoting.protocol.RemotingCommand r = call(tooLong);
        assertThat(r.getCode()).isEqualTo(29);
        assertThat(r.getRemark()).contains("1 to 512 characters");

        org.apache.rocketmq.remoting.protocol.RemotingCommand backwards =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(19_004, null);
        backwards.addExtField("id", "abc");
        backwards.addExtField("begin", "100");
        backwards.addExtField("end", "50");
        assertThat(call(backwards).getCode()).isEqualTo(29);

        org.apache.rocketmq.remoting.protocol.RemotingCommand unknown =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(19_004, null);
        unknown.addExtField("id", "no-such-message-anywhere");
        org.apache.rocketmq.remoting.protocol.RemotingCommand answer = call(unknown);
        assertThat(answer.getCode()).isZero();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.getBody()).path("events")).isEmpty();
    }

    @Test
    void dlqRedriveMovesDeadLettersBackAndTheyAreConsumed() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Redrive");
        ensureTopic(p, topic);
        String group = unique("CG");
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(0); // the first failure dead-letters
        c.setConsumeMessageBatchMaxSize(1);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(new Delivery(body(m), m.getMsgId(), m.getTopic(), m.getReconsumeTimes(),
                System.currentTimeMillis())));
            boolean poisoned = msgs.stream().anyMatch(m -> body(m).equals("bad-then-fixed"));
            return poisoned && broken.get() ? ConsumeConcurrentlyStatus.RECONSUME_LATER : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        p.send(new Message(topic, "bad-then-fixed".getBytes()));
        DefaultMQProducer admin = producer();
        String dlqTopic = "%DLQ%" + group;
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                return admin.maxOffset(new MessageQueue(dlqTopic, "broker-a", 0)) == 1;
            } catch (Exception e) {
                return false;
            }
        });
        broken.set(false); // the consumer's bug is fixed
        String out = runCli("dlq", "redrive", "--namesrv", quiver.namesrvAddr(), "--group", group);
        assertThat(out).contains("moved 1 dead letter(s)").contains("moved 1 in all");
        await().atMost(Duration.ofSeconds(60)).until(() ->
            seen.stream().filter(d -> d.body().equals("bad-then-fixed")).count() >= 2);
        Delivery again = seen.stream().filter(d -> d.body().equals("bad-then-fixed")).toList().get(1);
        assertThat(again.topic()).as("the original topic is restored for the listener").isEqualTo(topic);
        assertThat(runCli("dlq", "redrive", "--namesrv", quiver.namesrvAddr(), "--group", group))
            .as("each dead letter moves once").contains("moved 0 in all");
    }

    @Test
    void orderlyConsumerWithBoundedRetriesDeadLettersThePoisonAndMovesOnInOrder() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("OrderlyPoison");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(0);
        String group = unique("CG");
        List<String> processed = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(2); // orderly: at most 2 local retries, then the poison goes to the DLQ
        c.setSuspendCurrentQueueTimeMillis(100);
        c.subscribe(topic, "*");
        c.registerMessageListener((org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (body(m).equals("o-poison")) {
                    return org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                }
                processed.add(body(m));
            }
            return org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus.SUCCESS;
        });
        c.start();
        for (String b : List.of("o-1", "o-poison", "o-2", "o-3")) {
            p.send(new Message(topic, b.getBytes()), q);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> processed.contains("o-3"));
        assertThat(processed.stream().filter(b -> b.startsWith("o-"))).containsExactly("o-1", "o-2", "o-3");
        DefaultMQProducer admin = producer();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                return admin.maxOffset(new MessageQueue("%DLQ%" + group, "broker-a", 0)) == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String runCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.nio.file.Path.of(System.getProperty("quiver.dist"), "bin", "quiver").toString());
        cmd.addAll(List.of(args));
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes());
        assertThat(pr.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void delayLevelTwoIsHiddenForItsDelayThenDelivered() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Delay");
        ensureTopic(p, topic);
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        recording(unique("CG"), topic, seen, false);
        Message m = new Message(topic, "later".getBytes());
        m.setDelayTimeLevel(2);
        long sentAt = System.currentTimeMillis();
        p.send(m);
        p.send(new Message(topic, "now".getBytes()));
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.stream().anyMatch(d -> d.body().equals("now")));
        assertThat(seen).noneMatch(d -> d.body().equals("later"));
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.stream().anyMatch(d -> d.body().equals("later")));
        Delivery later = seen.stream().filter(d -> d.body().equals("later")).findFirst().orElseThrow();
        assertThat(later.atMillis() - sentAt).as("level 2 = 3 s").isGreaterThanOrEqualTo(2_900);
        assertThat(later.topic()).isEqualTo(topic);
    }

    @Test
    void delayedMessagesSurviveSigkillAndArriveOnce() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("DelayCrash");
        ensureTopic(p, topic);
        for (int i = 0; i < 20; i++) {
            Message m = new Message(topic, ("delayed-" + i).getBytes());
            m.setDelayTimeLevel(2);
            p.send(m);
        }
        quiver.kill();
        quiver.start();
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        recording(unique("CG"), topic, seen, false);
        await().atMost(Duration.ofSeconds(40)).until(() ->
            seen.stream().filter(d -> d.body().startsWith("delayed-")).count() >= 20);
        Thread.sleep(2_000);
        assertThat(seen.stream().map(Delivery::body).filter(b -> b.startsWith("delayed-"))).hasSize(20).doesNotHaveDuplicates();
    }
}
