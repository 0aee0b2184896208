package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the official 4.9.8 TransactionMQProducer against Quiver. Check-backs every second
 * with a one-second timeout and three checks at most (set through broker.conf), so tests take seconds.
 */
@Timeout(180)
class TransactionIT extends QuiverIT {

    protected static Map<String, String> brokerConf() {
        return Map.of("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024), "transactionCheckInterval", "1000",
            "transactionTimeOut", "1000", "transactionCheckMax", "3");
    }

    /** A transactional producer whose local transaction and check-back answers are given. */
    TransactionMQProducer txProducer(String group, LocalTransactionState local, LocalTransactionState check,
                                     AtomicInteger checks) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer(group);
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(unique("tx"));
        p.setHeartbeatBrokerInterval(1_000);
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                return local;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                checks.incrementAndGet();
                return check;
            }
        });
        p.start();
        onCleanup(p::shutdown);
        return p;
    }

    /** A push consumer from the first offset recording every body it receives. */
    List<String> consume(String topic) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(unique("CG"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(body(m)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return seen;
    }

    private String newTopic() throws Exception {
        String topic = unique("Tx");
        ensureTopic(producer(), topic);
        return topic;
    }

    @Test
    void commitIsConsumedExactlyOnceWithItsIdKeysAndProperties() throws Exception {
        String topic = newTopic();
        List<String> seen = consume(topic);
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.COMMIT_MESSAGE,
            LocalTransactionState.COMMIT_MESSAGE, new AtomicInteger());
        Message m = new Message(topic, "TagTx", "order-77", "committed".getBytes());
        m.putUserProperty("amount", "42");
        TransactionSendResult r = p.sendMessageInTransaction(m, null);
        assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        assertThat(r.getLocalTransactionState()).isEqualTo(LocalTransactionState.COMMIT_MESSAGE);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("committed"));
        Thread.sleep(3_000); // longer than a check round: a second delivery would show
        assertThat(seen.stream().filter("committed"::equals)).hasSize(1);

        DefaultMQProducer admin = producer();
        MessageExt stored = admin.queryMessage(topic, "order-77", 32, 0, Long.MAX_VALUE).getMessageList().get(0);
        assertThat(stored.getMsgId()).isEqualTo(r.getMsgId());
        assertThat(stored.getUserProperty("amount")).isEqualTo("42");
        assertThat(stored.getTags()).isEqualTo("TagTx");
    }

    @Test
    void rollbackIsNeverConsumed() throws Exception {
        String topic = newTopic();
        List<String> seen = consume(topic);
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.ROLLBACK_MESSAGE,
            LocalTransactionState.ROLLBACK_MESSAGE, new AtomicInteger());
        p.sendMessageInTransaction(new Message(topic, "rolled-back".getBytes()), null);
        producer().send(new Message(topic, "marker".getBytes()));
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("marker"));
        Thread.sleep(3_000);
        assertThat(seen).doesNotContain("rolled-back");
    }

    @Test
    void unknownThenCheckBackCommits() throws Exception {
        String topic = newTopic();
        List<String> seen = consume(topic);
        AtomicInteger checks = new AtomicInteger();
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.UNKNOW,
            LocalTransactionState.COMMIT_MESSAGE, checks);
        p.sendMessageInTransaction(new Message(topic, "checked-in".getBytes()), null);
        Thread.sleep(500);
        assertThat(seen).as("invisible while undecided").doesNotContain("checked-in");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("checked-in"));
        assertThat(checks.get()).isGreaterThanOrEqualTo(1);
        Thread.sleep(3_000);
        assertThat(seen.stream().filter("checked-in"::equals)).hasSize(1);
    }

    @Test
    void unknownForeverIsCheckedRepeatedlyThenDiscarded() throws Exception {
        String topic = newTopic();
        List<String> seen = consume(topic);
        AtomicInteger checks = new AtomicInteger();
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.UNKNOW,
            LocalTransactionState.UNKNOW, checks);
        p.sendMessageInTransaction(new Message(topic, "limbo".getBytes()), null);
        await().atMost(Duration.ofSeconds(40)).until(() -> txCounters().contains("\"discarded\":1"));
        assertThat(checks.get()).as("transactionCheckMax=3 check-backs").isEqualTo(3);
        producer().send(new Message(topic, "marker".getBytes()));
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("marker"));
        assertThat(seen).doesNotContain("limbo");
        Thread.sleep(2_500);
        assertThat(checks.get()).as("no check-back after the discard").isEqualTo(3);
    }

    @Test
    void duplicateAndLateEndTransactionNeverDuplicate() throws Exception {
        String topic = newTopic();
        List<String> seen = consume(topic);
        String group = unique("PG");
        TransactionMQProducer p = txProducer(group, LocalTransactionState.UNKNOW, LocalTransactionState.UNKNOW,
            new AtomicInteger());
        TransactionSendResult r = p.sendMessageInTransaction(new Message(topic, "once".getBytes()), null);
        // 4.9.8's TransactionSendResult does not carry the offset id; Quiver's pending list names the half.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"halfOffset\":" + r.getQueueOffset()
            + ",\"commitLogOffset\":(\\d+)").matcher(txCounters());
        assertThat(m.find()).as(txCounters()).isTrue();
        long commitLogOffset = Long.parseLong(m.group(1));
        for (int i = 0; i < 3; i++) {
            RemotingCommand resp = endTransaction(group, r.getQueueOffset(), commitLogOffset, 8, r.getMsgId());
            assertThat(resp.getCode()).isZero();
            if (i > 0) {
                assertThat(resp.getRemark()).contains("already decided");
            }
        }
        assertThat(endTransaction(group, r.getQueueOffset(), commitLogOffset, 12, r.getMsgId()).getRemark())
            .as("a rollback after the commit changes nothing").contains("already decided");
        assertThat(endTransaction("wrong-group", r.getQueueOffset(), commitLogOffset, 8, r.getMsgId()).getCode())
            .isEqualTo(1);
        assertThat(endTransaction(group, r.getQueueOffset(), 999_999_999L, 8, r.getMsgId()).getCode()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("once"));
        Thread.sleep(3_000);
        assertThat(seen.stream().filter("once"::equals)).hasSize(1);
    }

    @Test
    void transactionalSendToADeclaredNormalTopicIsRefused() throws Exception {
        String topic = unique("Normal");
        RemotingCommand create = RemotingCommand.createRequestCommand(17, null);
        Map.of("topic", topic, "defaultTopic", "TBW102", "readQueueNums", "4", "writeQueueNums", "4", "perm", "6",
            "topicFilterType", "SINGLE_TAG", "order", "false", "attributes", "+message.type=NORMAL")
            .forEach(create::addExtField);
        assertThat(call(create).getCode()).isZero();
        DefaultMQProducer plain = producer();
        await().atMost(Duration.ofSeconds(20)).until(() -> plain.fetchPublishMessageQueues(topic).size() == 4);
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.COMMIT_MESSAGE,
            LocalTransactionState.COMMIT_MESSAGE, new AtomicInteger());
        assertThatThrownBy(() -> p.sendMessageInTransaction(new Message(topic, "x".getBytes()), null))
            .hasStackTraceContaining("declared message.type=NORMAL");
        assertThat(plain.send(new Message(topic, "normal is fine".getBytes())).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    }

    @Test
    void brokerKilledBetweenHalfAndCommitResolvesThroughCheckBackOnce() throws Exception {
        String topic = newTopic();
        AtomicInteger checks = new AtomicInteger();
        TransactionMQProducer p = txProducer(unique("PG"), LocalTransactionState.UNKNOW,
            LocalTransactionState.COMMIT_MESSAGE, checks);
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                quiver.kill(); // the broker dies before the commit reaches it
                return LocalTransactionState.COMMIT_MESSAGE;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                checks.incrementAndGet();
                return LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        p.sendMessageInTransaction(new Message(topic, "survivor".getBytes()), null);
        quiver.start();
        List<String> seen = consume(topic);
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("survivor"));
        assertThat(checks.get()).isGreaterThanOrEqualTo(1);
        Thread.sleep(3_000);
        assertThat(seen.stream().filter("survivor"::equals)).hasSize(1);
    }

    @Test
    void anotherInstanceOfTheGroupAnswersWhenTheSenderWasKilled() throws Exception {
        String topic = newTopic();
        String group = unique("PG");
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Drocketmq.client.logUseSlf4j=true", "-cp",
            System.getProperty("java.class.path"), ChildTxProducer.class.getName(), quiver.namesrvAddr(), group, topic,
            "orphan").redirectErrorStream(true).start();
        onCleanup(child::destroyForcibly);
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("SENT")) {
            // wait for the half to be stored
        }
        assertThat(line).isEqualTo("SENT");
        child.destroyForcibly(); // SIGKILL: the local transaction's outcome is known only to the group
        assertThat(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        List<String> seen = consume(topic);
        AtomicInteger checks = new AtomicInteger();
        txProducer(group, LocalTransactionState.COMMIT_MESSAGE, LocalTransactionState.COMMIT_MESSAGE, checks);
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("orphan"));
        assertThat(checks.get()).isGreaterThanOrEqualTo(1);
        Thread.sleep(3_000);
        assertThat(seen.stream().filter("orphan"::equals)).hasSize(1);
    }

    @Test
    void quiverTxListShowsThePendingHalf() throws Exception {
        String topic = newTopic();
        String group = unique("PG");
        TransactionMQProducer p = txProducer(group, LocalTransactionState.UNKNOW, LocalTransactionState.UNKNOW,
            new AtomicInteger());
        TransactionSendResult r = p.sendMessageInTransaction(new Message(topic, "listed".getBytes()), null);
        Process cli = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("quiver.dist"), "bin", "quiver").toString(),
            "tx", "list", "--namesrv", quiver.namesrvAddr()).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes());
        assertThat(cli.waitFor()).as(out).isZero();
        assertThat(out).contains("broker-a").containsPattern("pending [1-9]").contains(topic).contains(group)
            .contains(r.getMsgId());
    }

    private RemotingCommand endTransaction(String group, long queueOffset, long commitLogOffset, int decision,
                                           String msgId) throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(37, null);
        Map.of("producerGroup", group, "tranStateTableOffset", Long.toString(queueOffset), "commitLogOffset",
            Long.toString(commitLogOffset), "commitOrRollback", Integer.toString(decision), "fromTransactionCheck",
            "false", "msgId", msgId).forEach(req::addExtField);
        return call(req);
    }


    /** The broker's transaction counters, as Quiver's listing returns them (JSON text). */
    static String txCounters() throws Exception {
        RemotingCommand resp = call(RemotingCommand.createRequestCommand(19_001, null));
        return new String(resp.getBody());
    }
}
