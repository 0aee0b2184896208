package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: a consumer process killed with SIGKILL (no unregistration, no offset flush) is removed
 * from its group, and the surviving member takes over all queues and consumes what arrives on them.
 */
@Timeout(180)
class ConsumerFailoverIT extends QuiverIT {

    @Test
    void killedConsumersQueuesGoToTheSurvivor() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        String group = unique("CG");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            "-Drocketmq.client.logUseSlf4j=true", ChildConsumer.class.getName(), quiver.namesrvAddr(), group, topic)
            .redirectErrorStream(true).start();
        onCleanup(child::destroyForcibly);
        List<String> childOut = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    childOut.add(line);
                }
            } catch (Exception ignored) {
                // child gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> childOut.contains("STARTED"));

        List<String> survivorGot = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer survivor = pushConsumer(group);
        survivor.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        survivor.subscribe(topic, "*");
        survivor.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> survivorGot.add(body(m)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        survivor.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> assignedQueues(survivor, topic) == 2);

        child.destroyForcibly(); // SIGKILL: no unregister, no shutdown hook
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(30)).until(() -> assignedQueues(survivor, topic) == 4);
        List<MessageQueue> queues = sortedQueues(p.fetchPublishMessageQueues(topic));
        for (MessageQueue q : queues) {
            p.send(new Message(topic, ("after-kill-" + q.getQueueId()).getBytes()), q);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(survivorGot).contains("after-kill-0", "after-kill-1", "after-kill-2", "after-kill-3"));
    }
}
