package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Integration tier: the official 5.1.4 TransactionMQProducer: commit at once, and unknown then check-back. */
@Timeout(180)
class Transaction5IT {
    private static QuiverProcess quiver;

    @BeforeAll
    static void start() throws Exception {
        quiver = new QuiverProcess(Files.createTempDirectory("quiver-tx5-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024), "transactionCheckInterval", "1000",
            "transactionTimeOut", "1000", "transactionCheckMax", "5")).start();
    }

    @AfterAll
    static void stop() {
        quiver.close();
    }

    private static String unique(String p) {
        return p + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void commitAndCheckBackCommitAreEachConsumedOnce() throws Exception {
        DefaultMQProducer plain = new DefaultMQProducer(unique("PG"));
        plain.setNamesrvAddr(quiver.namesrvAddr());
        plain.setInstanceName(unique("plain"));
        plain.start();
        String topic = unique("Tx5");
        plain.send(new Message(topic, "seed".getBytes()));
        await().atMost(Duration.ofSeconds(20)).until(() -> plain.fetchPublishMessageQueues(topic).size() == 4);

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

        AtomicInteger checks = new AtomicInteger();
        TransactionMQProducer p = new TransactionMQProducer(unique("PG"));
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(unique("tx"));
        p.setHeartbeatBrokerInterval(1_000);
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                return "now".equals(arg) ? LocalTransactionState.COMMIT_MESSAGE : LocalTransactionState.UNKNOW;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                checks.incrementAndGet();
                return LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        p.start();
        TransactionSendResult now = p.sendMessageInTransaction(new Message(topic, "tx5-now".getBytes()), "now");
        assertThat(now.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        assertThat(now.getTransactionId()).isEqualTo(now.getMsgId());
        p.sendMessageInTransaction(new Message(topic, "tx5-later".getBytes()), "later");
        await().atMost(Duration.ofSeconds(40)).until(() -> seen.contains("tx5-now") && seen.contains("tx5-later"));
        assertThat(checks.get()).isGreaterThanOrEqualTo(1);
        Thread.sleep(3_000);
        assertThat(seen.stream().filter(s -> s.startsWith("tx5-"))).hasSize(2);
        p.shutdown();
        c.shutdown();
        plain.shutdown();
    }
}
