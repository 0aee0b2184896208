package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: INVOKE_BROKER_TO_RESET_OFFSET (what mqadmin resetOffsetByTime sends) rewinds an online
 * official push consumer to a point in time, and resets an offline group's stored offsets.
 */
@Timeout(180)
class ResetOffsetIT extends QuiverIT {

    private static RemotingCommand reset(String topic, String group, long timestamp) throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(222, null);
        Map.of("topic", topic, "group", group, "timestamp", Long.toString(timestamp), "isForce", "true")
            .forEach(req::addExtField);
        return call(req);
    }


    private DefaultMQPushConsumer consumer(String group, String topic, List<String> seen) throws Exception {
        DefaultMQPushConsumer c = pushConsumer(group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPersistConsumerOffsetInterval(500);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(body(m)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    @Test
    void resetByTimeRedeliversFromThatPointAndResetsOfflineGroups() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Rewind");
        ensureTopic(p, topic);
        for (int i = 0; i < 5; i++) {
            p.send(new Message(topic, ("early-" + i).getBytes()));
        }
        Thread.sleep(1_100);
        long between = System.currentTimeMillis();
        Thread.sleep(1_100);
        for (int i = 0; i < 5; i++) {
            p.send(new Message(topic, ("late-" + i).getBytes()));
        }
        String group = unique("CG");
        List<String> seen = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = consumer(group, topic, seen);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().filter(s -> !s.startsWith("seed")).count() >= 10);
        Thread.sleep(1_500); // offsets persisted
        RemotingCommand status = RemotingCommand.createRequestCommand(223, null);
        Map.of("topic", topic, "group", group).forEach(status::addExtField);
        RemotingCommand statusResp = call(status);
        assertThat(statusResp.getCode()).isZero();
        String statusBody = new String(statusResp.getBody());
        assertThat(statusBody).startsWith("{\"consumerTable\":{\"").contains("@").contains("\"queueId\":0")
            .contains(topic);
        RemotingCommand resp = reset(topic, group, between);
        assertThat(resp.getCode()).isZero();
        assertThat(new String(resp.getBody())).contains("offsetTable").contains("queueId");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().filter(s -> s.startsWith("late-")).count() >= 10);
        Thread.sleep(1_500);
        for (int i = 0; i < 5; i++) {
            String late = "late-" + i;
            assertThat(seen.stream().filter(late::equals)).as(late).hasSize(2);
            String early = "early-" + i;
            assertThat(seen.stream().filter(early::equals)).as(early).hasSize(1);
        }
        c.shutdown();

        // Offline: reset to the end (-1) while nobody of the group is online; a restart resumes there.
        for (int i = 0; i < 3; i++) {
            p.send(new Message(topic, ("while-away-" + i).getBytes()));
        }
        assertThat(reset(topic, group, -1).getCode()).isZero();
        List<String> after = new CopyOnWriteArrayList<>();
        consumer(group, topic, after);
        Thread.sleep(5_000);
        p.send(new Message(topic, "after-reset".getBytes()));
        await().atMost(Duration.ofSeconds(30)).until(() -> after.contains("after-reset"));
        assertThat(after).noneMatch(s -> s.startsWith("while-away-") || s.startsWith("early-") || s.startsWith("late-"));
    }
}
