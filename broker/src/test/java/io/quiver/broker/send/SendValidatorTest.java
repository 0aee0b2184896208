package io.quiver.broker.send;

import static io.quiver.broker.send.SendFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: SendValidator refuses bad topic names, system topics, a read-only broker, oversized bodies and transactional batches, with the right codes. */
@Timeout(10)
class SendValidatorTest {
    private final BrokerConfig config = new BrokerConfig();
    private final SendValidator validator = new SendValidator(config);

    @Test
    void anOrdinarySendPasses() {
        assertThat(validator.check(send("TopicA").decode())).isNull();
        assertThat(validator.check(send("%RETRY%G1").decode())).isNull();
    }

    @Test
    void anInvalidTopicNameIsASystemError() {
        Refusal r = validator.check(send("bad topic!").decode());
        assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(r.remark()).startsWith("invalid topic").contains("' '");

        Refusal tooLong = validator.check(send("t".repeat(128)).decode());
        assertThat(tooLong.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(tooLong.remark()).contains("128").contains("127");
    }

    @Test
    void systemTopicsRefuseProducers() {
        for (String t : new String[] {TopicNames.SCHEDULE_TOPIC, TopicNames.TRANS_HALF_TOPIC, TopicNames.TIMER_TOPIC}) {
            Refusal r = validator.check(send(t).decode());
            assertThat(r.code()).as(t).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(r.remark()).contains("system topic " + t);
        }
    }

    @Test
    void aReadOnlyBrokerRefusesWrites() {
        config.brokerPermission = 4;
        Refusal r = validator.check(send("TopicA").decode());
        assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(r.remark()).contains("brokerPermission=4").contains(config.brokerName);
    }

    @Test
    void aBodyAboveMaxMessageSizeIsIllegal() {
        config.maxMessageSize = 10;
        assertThat(validator.check(send("TopicA").body(new byte[10]).decode())).isNull();

        Refusal r = validator.check(send("TopicA").body(new byte[11]).decode());
        assertThat(r.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
        assertThat(r.remark()).contains("11 bytes").contains("maxMessageSize").contains("10 bytes");
    }

    @Test
    void aBatchBodyIsNotLimitedAsAWholeHere() {
        // the router checks each member and the sum; the frame (with its per-member headers) may be larger
        config.maxMessageSize = 10;
        byte[] body = SendFixture.batchBody(SendFixture.Member.of("12345", Map.of()), SendFixture.Member.of("678", Map.of()));
        assertThat(validator.check(send("TopicA").batch(body).decode())).isNull();
    }

    @Test
    void aTransactionalBatchIsRefused() {
        byte[] body = SendFixture.batchBody(SendFixture.Member.of("x", Map.of()));
        Refusal r = validator.check(send("TopicA").sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).batch(body).decode());
        assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(r.remark()).contains("batch cannot be transactional");
    }

    @Test
    void rejectTransactionMessageRefusesHalfMessagesOnly() {
        config.rejectTransactionMessage = true;
        Refusal r = validator.check(send("TopicA").sysFlag(MessageSysFlag.TRANSACTION_PREPARED_TYPE).decode());
        assertThat(r.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(r.remark()).contains("rejectTransactionMessage=true");
        assertThat(validator.check(send("TopicA").decode())).isNull();
    }

    @Test
    void theTopicNameIsCheckedBeforeThePermission() {
        config.brokerPermission = 4;
        assertThat(validator.check(send("a/b").decode()).code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(validator.check(send(TopicNames.SCHEDULE_TOPIC).decode()).remark()).contains("system topic");
    }
}
