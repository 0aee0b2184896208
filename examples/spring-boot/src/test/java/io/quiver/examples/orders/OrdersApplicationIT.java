package io.quiver.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Integration tier: the example application, with Apache's rocketmq-spring-boot-starter 2.3.5 (rocketmq-client
 * 5.3.2) as it comes, against a Quiver standalone started as a separate process.
 */
@Tag("it")
@Timeout(180)
@SpringBootTest
class OrdersApplicationIT {
    private static QuiverProcess quiver;

    @DynamicPropertySource
    static void quiverAddress(DynamicPropertyRegistry registry) throws Exception {
        Path data = Files.createTempDirectory("quiver-spring-");
        // undecided transactions are checked a second after they were sent, not after RocketMQ's minute
        quiver = new QuiverProcess(data, Map.of("transactionTimeOut", "1000", "transactionCheckInterval", "1000")).start();
        for (String topic : List.of(OrderEvents.ORDERS, OrderEvents.SHIPMENTS, OrderEvents.PAYMENTS, OrderEvents.REMINDERS)) {
            QuiverCli.Result r = QuiverCli.run("topic", "create", topic, "--queues", "4", "--namesrv", quiver.namesrvAddr());
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        registry.add("rocketmq.name-server", quiver::namesrvAddr);
    }

    @AfterAll
    static void stopQuiver() {
        if (quiver != null) {
            quiver.close();
        }
    }

    @Autowired
    OrderEvents events;

    @Autowired
    Received received;

    @Autowired
    PaymentTransactions payments;

    @Test
    void syncAndAsyncSendsReachTheTagFilteredListener() throws Exception {
        SendResult created = events.created("o-1");
        assertThat(created.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        assertThat(created.getMessageQueue().getTopic()).isEqualTo(OrderEvents.ORDERS);

        CompletableFuture<SendResult> updated = new CompletableFuture<>();
        events.updated("o-1", new SendCallback() {
            @Override
            public void onSuccess(SendResult r) {
                updated.complete(r);
            }

            @Override
            public void onException(Throwable e) {
                updated.completeExceptionally(e);
            }
        });
        assertThat(updated.get(20, TimeUnit.SECONDS).getSendStatus()).isEqualTo(SendStatus.SEND_OK);

        await().atMost(Duration.ofSeconds(60)).until(() -> received.bodies("audit").size() >= 2);
        assertThat(received.bodies("audit")).containsExactlyInAnyOrder("created o-1", "updated o-1");
    }

    @Test
    void shipmentStepsOfAnOrderShareAQueueAndAreConsumedInOrder() {
        List<Integer> queues = new ArrayList<>();
        for (int step = 1; step <= 20; step++) {
            SendResult r = events.shipmentStep("o-7", step);
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            queues.add(r.getMessageQueue().getQueueId());
        }
        assertThat(queues).as("one queue for one order").containsOnly(queues.get(0));
        await().atMost(Duration.ofSeconds(60)).until(() -> received.bodies("shipments").size() >= 20);
        List<String> expected = new ArrayList<>();
        for (int step = 1; step <= 20; step++) {
            expected.add("o-7:" + step);
        }
        assertThat(received.bodies("shipments")).containsExactlyElementsOf(expected);
    }

    @Test
    void aDelayedReminderArrivesNoSoonerThanItsDelay() {
        long sentAt = System.currentTimeMillis();
        assertThat(events.remindLater("o-3").getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        await().atMost(Duration.ofSeconds(60)).until(() -> !received.of("reminders").isEmpty());
        Received.Delivery d = received.of("reminders").get(0);
        assertThat(d.body()).isEqualTo("remind o-3");
        assertThat(d.atMillis() - sentAt).as("delay level 1 is one second").isGreaterThanOrEqualTo(900);
    }

    @Test
    void paymentsArePublishedOnlyWhenTheirTransactionCommitsIncludingAfterACheckBack() throws Exception {
        TransactionSendResult committed = events.payment("o-11", "commit");
        assertThat(committed.getLocalTransactionState()).isEqualTo(LocalTransactionState.COMMIT_MESSAGE);
        TransactionSendResult rolledBack = events.payment("o-12", "rollback");
        assertThat(rolledBack.getLocalTransactionState()).isEqualTo(LocalTransactionState.ROLLBACK_MESSAGE);
        TransactionSendResult later = events.payment("o-13", "later");
        assertThat(later.getLocalTransactionState()).isEqualTo(LocalTransactionState.UNKNOW);

        await().atMost(Duration.ofSeconds(60)).until(() -> received.bodies("payments").size() >= 2);
        assertThat(payments.checked()).as("the broker asked about the undecided payment").contains("o-13");
        Thread.sleep(2_000); // a rolled-back payment would have arrived by now
        assertThat(received.bodies("payments")).containsExactlyInAnyOrder("commit o-11", "later o-13");
    }
}
