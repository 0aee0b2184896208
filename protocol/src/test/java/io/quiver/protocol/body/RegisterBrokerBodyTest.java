package io.quiver.protocol.body;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: the REGISTER_BROKER body check the name server applies before merging topics. Found by
 * FrameFuzzIT: a topic config without topicName was merged under a null key, after which every
 * GET_ALL_TOPIC_LIST_FROM_NAMESERVER failed (null in a sorted set) until that broker went away.
 */
@Timeout(10)
class RegisterBrokerBodyTest {
    static RegisterBrokerBody decode(String json) {
        return Json.decode(json.getBytes(StandardCharsets.UTF_8), RegisterBrokerBody.class);
    }

    static String body(String topicConfig) {
        return "{\"filterServerList\":[],\"topicConfigSerializeWrapper\":{\"dataVersion\":{\"counter\":1,"
            + "\"timestamp\":1700000000000},\"topicConfigTable\":{\"T\":" + topicConfig + "}}}";
    }

    @Test
    void aWellFormedBodyAndOneWithoutTopicsPass() {
        assertThat(decode(body("{\"topicName\":\"T\",\"readQueueNums\":4,\"writeQueueNums\":4,\"perm\":6}")).problem())
            .isNull();
        assertThat(decode("{}").problem()).isNull();
        assertThat(decode("{\"topicConfigSerializeWrapper\":null}").problem()).isNull();
        assertThat(decode("{\"topicConfigSerializeWrapper\":{\"topicConfigTable\":null}}").problem()).isNull();
    }

    @Test
    void aTopicEntryWithoutConfigNameOrWithNegativeQueuesIsNamed() {
        assertThat(decode(body("null")).problem()).isEqualTo("the topic config of 'T' is null");
        assertThat(decode(body("{\"readQueueNums\":4,\"writeQueueNums\":4}")).problem())
            .isEqualTo("the topic config of 'T' has no topicName");
        assertThat(decode(body("{\"topicName\":\" \",\"readQueueNums\":4}")).problem())
            .isEqualTo("the topic config of 'T' has no topicName");
        assertThat(decode(body("{\"topicName\":\"T\",\"readQueueNums\":-1,\"writeQueueNums\":4}")).problem())
            .isEqualTo("topic T has a negative queue count (read -1, write 4)");
    }
}
