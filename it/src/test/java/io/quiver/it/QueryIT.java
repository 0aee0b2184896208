package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: the official 4.9.8 client's message lookups: by key (QUERY_MESSAGE), by unique key
 * (QUERY_MESSAGE with _UNIQUE_KEY_QUERY) and by offset message id (VIEW_MESSAGE_BY_ID).
 */
@Timeout(120)
class QueryIT extends QuiverIT {

    @Test
    @SuppressWarnings("deprecation")
    void findsMessagesByKeyUniqueKeyAndOffsetId() throws Exception {
        DefaultMQProducer p = producer();
        String topic = unique("Q");
        ensureTopic(p, topic);
        long begin = System.currentTimeMillis() - 1_000;
        SendResult first = null;
        for (int i = 0; i < 12; i++) {
            SendResult r = p.send(new Message(topic, "TagQ", "order-" + (i % 3) + " customer-7",
                ("query-" + i).getBytes()));
            if (i == 0) {
                first = r;
            }
        }
        long end = System.currentTimeMillis() + 1_000;
        await().atMost(Duration.ofSeconds(20)).until(() ->
            p.queryMessage(topic, "order-1", 32, begin, end).getMessageList().size() == 4);
        QueryResult byKey = p.queryMessage(topic, "order-1", 32, begin, end);
        assertThat(byKey.getMessageList().stream().map(QuiverIT::body).sorted())
            .containsExactly("query-1", "query-10", "query-4", "query-7");
        assertThat(p.queryMessage(topic, "customer-7", 32, begin, end).getMessageList()).hasSize(12);

        MessageExt byOffsetId = p.viewMessage(first.getOffsetMsgId());
        assertThat(body(byOffsetId)).isEqualTo("query-0");
        assertThat(byOffsetId.getKeys()).isEqualTo("order-0 customer-7");
        assertThat(byOffsetId.getMsgId()).isEqualTo(first.getMsgId());

        MessageExt byUniq = p.getDefaultMQProducerImpl().getmQClientFactory().getMQAdminImpl()
            .queryMessageByUniqKey(topic, first.getMsgId());
        assertThat(body(byUniq)).isEqualTo("query-0");

        assertThatThrownBy(() -> p.queryMessage(topic, "no-such-key", 32, begin, end))
            .isInstanceOf(MQClientException.class);
    }
}
