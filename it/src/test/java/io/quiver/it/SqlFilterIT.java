package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Integration tier: SQL92 property filters with the official 4.9.8 push consumer. */
@Timeout(120)
class SqlFilterIT extends QuiverIT {

    @Test
    void deliversExactlyTheMatchingMessages() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Sql");
        ensureTopic(p, topic);
        List<String> seen = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(unique("CG"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, MessageSelector.bySql("a > 5 AND (b = 'x' OR b IS NULL) AND c NOT IN ('skip')"));
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> seen.add(body(m)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        for (int i = 0; i < 20; i++) {
            Message m = new Message(topic, ("m" + i).getBytes());
            m.putUserProperty("a", Integer.toString(i));
            if (i % 3 != 0) {
                m.putUserProperty("b", i % 3 == 1 ? "x" : "y");
            }
            m.putUserProperty("c", i == 12 ? "skip" : "keep");
            p.send(m);
        }
        // a > 5, b = x (i % 3 == 1) or b missing (i % 3 == 0), and not i == 12:
        List<String> expected = List.of("m6", "m7", "m9", "m10", "m13", "m15", "m16", "m18", "m19");
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= expected.size());
        Thread.sleep(1_500);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aHeartbeatWithAnInvalidExpressionIsRefusedAndRegistersNothing() throws Exception {
        String group = unique("CG");
        String hb = "{\"clientID\":\"127.0.0.1@bad-sql\",\"producerDataSet\":[],\"consumerDataSet\":[{\"groupName\":\""
            + group + "\",\"consumeType\":\"CONSUME_PASSIVELY\",\"messageModel\":\"CLUSTERING\","
            + "\"consumeFromWhere\":\"CONSUME_FROM_LAST_OFFSET\",\"unitMode\":false,\"subscriptionDataSet\":"
            + "[{\"topic\":\"T\",\"subString\":\"a > AND\",\"expressionType\":\"SQL92\",\"subVersion\":1}]}]}";
        org.apache.rocketmq.remoting.protocol.RemotingCommand req =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(34, null);
        req.setBody(hb.getBytes());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", quiver.brokerPort())) {
            s.setSoTimeout(10_000);
            java.nio.ByteBuffer b = req.encode();
            s.getOutputStream().write(b.array(), b.position(), b.remaining());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            org.apache.rocketmq.remoting.protocol.RemotingCommand resp =
                org.apache.rocketmq.remoting.protocol.RemotingCommand.decode(java.nio.ByteBuffer.wrap(frame));
            assertThat(resp.getCode()).isEqualTo(23); // SUBSCRIPTION_PARSE_FAILED
            assertThat(resp.getRemark()).contains(group).contains("invalid SQL92 expression");
        }
        DefaultMQProducer p = producer();
        assertThatThrownBy(() -> p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl()
            .getConsumerIdListByGroup(quiver.brokerAddr(), group, 3_000)).as("nothing was registered")
            .isInstanceOf(Exception.class);
    }

    @Test
    void anInvalidExpressionIsRejectedWhenTheConsumerStarts() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Sql");
        ensureTopic(p, topic);
        DefaultMQPushConsumer c = pushConsumer(unique("CG"));
        c.subscribe(topic, MessageSelector.bySql("a > AND"));
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
        assertThatThrownBy(c::start).hasStackTraceContaining("invalid SQL92 expression");
    }
}
