package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: with fileReservedTime=0 and every hour a deletion hour, old commit-log segments are
 * deleted by the broker on its own; a consumer whose offset fell before the new minimum gets
 * PULL_OFFSET_MOVED to it, and a new group is told its offset is not found (so its consume-from policy
 * decides).
 */
@Timeout(180)
class RetentionIT extends QuiverIT {

    protected static Map<String, String> brokerConf() {
        StringBuilder hours = new StringBuilder();
        for (int h = 0; h < 24; h++) {
            hours.append(h == 0 ? "" : ";").append(String.format("%02d", h));
        }
        return Map.of("mappedFileSizeCommitLog", Integer.toString(512 * 1024), "maxMessageSize",
            Integer.toString(128 * 1024), "fileReservedTime", "0", "deleteWhen", hours.toString());
    }


    @Test
    void oldSegmentsGoAndStaleReadersAreMovedOn() throws Exception {
        DefaultMQProducer p = producer();
        p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE); // store the full size: segments must fill
        String topic = unique("Old");
        ensureTopic(p, topic);
        MessageQueue q = sortedQueues(p.fetchPublishMessageQueues(topic)).get(0);
        byte[] body = new byte[20 * 1024];
        for (int i = 0; i < 80; i++) { // about 1.6 MiB: three full 512 KiB segments
            p.send(new Message(topic, body), q);
        }
        await().atMost(Duration.ofSeconds(40)).until(() -> p.minOffset(q) > 0);
        long min = p.minOffset(q);
        assertThat(p.maxOffset(q)).isGreaterThan(min);

        RemotingCommand pull = RemotingCommand.createRequestCommand(11, null);
        Map.of("consumerGroup", unique("Stale"), "topic", topic, "queueId", Integer.toString(q.getQueueId()),
            "queueOffset", "0", "maxMsgNums", "32", "sysFlag", "4", "commitOffset", "0", "suspendTimeoutMillis", "0",
            "subscription", "*", "subVersion", "0").forEach(pull::addExtField);
        RemotingCommand moved = call(pull);
        assertThat(moved.getCode()).isEqualTo(21); // PULL_OFFSET_MOVED
        assertThat(Long.parseLong(moved.getExtFields().get("nextBeginOffset"))).isEqualTo(min);

        RemotingCommand query = RemotingCommand.createRequestCommand(14, null);
        Map.of("consumerGroup", unique("New"), "topic", topic, "queueId", Integer.toString(q.getQueueId()))
            .forEach(query::addExtField);
        assertThat(call(query).getCode()).isEqualTo(22); // QUERY_NOT_FOUND: the head of the queue is gone
    }
}
