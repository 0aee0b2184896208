package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: PULL_MESSAGE answers of fact sheet §6.1 (not found, offset moved, long polling that
 * waits and wakes on arrival), with requests encoded by the official client's RemotingCommand.
 */
@Timeout(120)
class PullStatusIT extends QuiverIT {

    private static RemotingCommand pull(String group, MessageQueue q, long offset, int sysFlag, long suspendMillis)
        throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(11, null);
        req.addExtField("consumerGroup", group);
        req.addExtField("topic", q.getTopic());
        req.addExtField("queueId", Integer.toString(q.getQueueId()));
        req.addExtField("queueOffset", Long.toString(offset));
        req.addExtField("maxMsgNums", "32");
        req.addExtField("sysFlag", Integer.toString(sysFlag));
        req.addExtField("commitOffset", "0");
        req.addExtField("suspendTimeoutMillis", Long.toString(suspendMillis));
        req.addExtField("subscription", "*");
        req.addExtField("subVersion", "0");
        req.addExtField("expressionType", "TAG");
        return call(req);
    }

    private static long ext(RemotingCommand r, String key) {
        return Long.parseLong(r.getExtFields().get(key));
    }

    @Test
    void offsetsAtAndBeyondTheEndAnswerNotFoundAndOffsetMoved() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(3);
        for (int i = 0; i < 3; i++) {
            p.send(new Message(topic, ("m" + i).getBytes()), q);
        }
        long max = p.maxOffset(q);
        String group = unique("CG");
        final int subscriptionFlag = 0x4;

        RemotingCommand found = pull(group, q, max - 3, subscriptionFlag, 0);
        assertThat(found.getCode()).isZero();
        assertThat(ext(found, "nextBeginOffset")).isEqualTo(max);
        assertThat(ext(found, "maxOffset")).isEqualTo(max);
        assertThat(ext(found, "minOffset")).isZero();
        assertThat(found.getBody()).isNotEmpty();

        RemotingCommand atEnd = pull(group, q, max, subscriptionFlag, 0);
        assertThat(atEnd.getCode()).isEqualTo(19); // PULL_NOT_FOUND
        assertThat(ext(atEnd, "nextBeginOffset")).isEqualTo(max);

        RemotingCommand beyond = pull(group, q, max + 100, subscriptionFlag, 0);
        assertThat(beyond.getCode()).isEqualTo(21); // PULL_OFFSET_MOVED
        assertThat(ext(beyond, "nextBeginOffset")).isEqualTo(max);

        RemotingCommand badQueue = pull(group, new MessageQueue(topic, q.getBrokerName(), 99), 0, subscriptionFlag, 0);
        assertThat(badQueue.getCode()).isEqualTo(1);
        assertThat(badQueue.getRemark()).contains("queueId 99");

        RemotingCommand noTopic = pull(group, new MessageQueue(unique("Missing"), q.getBrokerName(), 0), 0,
            subscriptionFlag, 0);
        assertThat(noTopic.getCode()).isEqualTo(17);

        RemotingCommand noSubscription = pull(unique("Unknown"), q, 0, 0, 0);
        assertThat(noSubscription.getCode()).isEqualTo(24); // SUBSCRIPTION_NOT_EXIST: no heartbeat, no posted subscription
    }

    @Test
    void longPollWaitsUntilItsTimeoutThenAnswersNotFound() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(1);
        long max = p.maxOffset(q);
        long t0 = System.nanoTime();
        RemotingCommand r = pull(unique("CG"), q, max, 0x2 | 0x4, 1_500);
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.getCode()).isEqualTo(19);
        assertThat(ext(r, "nextBeginOffset")).isEqualTo(max);
        assertThat(waitedMs).as("the pull was held, not answered at once").isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void longPollIsAnsweredWhenAMessageArrives() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("T");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(2);
        long max = p.maxOffset(q);
        CompletableFuture<RemotingCommand> parked = CompletableFuture.supplyAsync(() -> {
            try {
                return pull(unique("CG"), q, max, 0x2 | 0x4, 20_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(parked).isNotDone();
        p.send(new Message(topic, "wake up".getBytes()), q);
        RemotingCommand r = parked.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.getCode()).isZero();
        assertThat(ext(r, "nextBeginOffset")).isEqualTo(max + 1);
    }
}
