package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.HeartbeatData;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: ConnectionHandlers lists the connections of an online consumer or producer group (refusing
 * offline consumer groups with CONSUMER_NOT_ONLINE and unknown producer groups with SYSTEM_ERROR), and
 * which groups consume a topic (online subscribers plus groups with offsets on it).
 */
@Timeout(10)
class ConnectionHandlersTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    /** The member's own connection (not the one the admin request arrives on). */
    final HandlerHarness.IpChannel memberChannel = new HandlerHarness.IpChannel();
    final ClientRegistry clients = new ClientRegistry(10);
    ConsumerOffsetTable offsets;
    ConnectionHandlers handlers;

    @BeforeEach
    void setUp() {
        offsets = new ConsumerOffsetTable(dir, 100);
        handlers = new ConnectionHandlers(clients, offsets);
    }

    @AfterEach
    void tearDown() {
        h.close();
        memberChannel.finishAndReleaseAll();
    }

    void registerConsumer(String group, String clientId, String... topics) {
        HeartbeatData.ConsumerData d = HandlerHarness.consumer(group, 1, topics);
        ClientChannel member = new ClientChannel(memberChannel, clientId, LanguageCode.JAVA, 409, 1000);
        assertThat(clients.registerConsumer(d, member, 1000)).isEqualTo(ClientRegistry.Outcome.CHANGED);
    }

    @Test
    void aConsumerGroupThatIsNotOnlineIsConsumerNotOnline() {
        RemotingCommand resp = h.call(handlers::consumerConnections,
            request(RequestCode.GET_CONSUMER_CONNECTION_LIST, "consumerGroup", "Ghost"));
        assertThat(resp.code()).isEqualTo(ResponseCode.CONSUMER_NOT_ONLINE);
        assertThat(resp.remark()).isEqualTo("the consumer group[Ghost] not online");
        assertThat(resp.body()).isNull();
    }

    @Test
    void aConsumerGroupWhoseMembersLeftIsConsumerNotOnline() {
        registerConsumer("G1", "client-1", "TopicA");
        clients.unregisterConsumer("G1", memberChannel);
        RemotingCommand resp = h.call(handlers::consumerConnections,
            request(RequestCode.GET_CONSUMER_CONNECTION_LIST, "consumerGroup", "G1"));
        assertThat(resp.code()).isEqualTo(ResponseCode.CONSUMER_NOT_ONLINE);
    }

    @Test
    void anOnlineConsumerGroupListsItsMembersAndSubscriptions() {
        registerConsumer("G1", "client-1", "TopicA", "TopicB");

        RemotingCommand resp = h.call(handlers::consumerConnections,
            request(RequestCode.GET_CONSUMER_CONNECTION_LIST, "consumerGroup", "G1"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode body = HandlerHarness.bodyJson(resp);
        assertThat(body.get("connectionSet")).hasSize(1);
        JsonNode conn = body.get("connectionSet").get(0);
        assertThat(conn.get("clientId").asText()).isEqualTo("client-1");
        assertThat(conn.get("clientAddr").asText()).isEqualTo("127.0.0.1:40000");
        assertThat(conn.get("language").asText()).isEqualTo("JAVA");
        assertThat(conn.get("version").asInt()).isEqualTo(409);
        assertThat(body.get("subscriptionTable").has("TopicA")).isTrue();
        assertThat(body.get("subscriptionTable").has("TopicB")).isTrue();
        assertThat(body.get("consumeType").asText()).isEqualTo("CONSUME_PASSIVELY");
        assertThat(body.get("messageModel").asText()).isEqualTo("CLUSTERING");
        assertThat(body.get("consumeFromWhere").asText()).isEqualTo("CONSUME_FROM_LAST_OFFSET");
    }

    @Test
    void anUnknownProducerGroupDoesNotExist() {
        RemotingCommand resp = h.call(handlers::producerConnections,
            request(RequestCode.GET_PRODUCER_CONNECTION_LIST, "producerGroup", "PG"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).isEqualTo("the producer group[PG] not exist");
    }

    @Test
    void aKnownProducerGroupListsItsConnections() {
        clients.registerProducer("PG", new ClientChannel(memberChannel, "producer-1", LanguageCode.GO, 400, 1000), 1000);

        RemotingCommand resp = h.call(handlers::producerConnections,
            request(RequestCode.GET_PRODUCER_CONNECTION_LIST, "producerGroup", "PG"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode conns = HandlerHarness.bodyJson(resp).get("connectionSet");
        assertThat(conns).hasSize(1);
        assertThat(conns.get(0).get("clientId").asText()).isEqualTo("producer-1");
        assertThat(conns.get(0).get("language").asText()).isEqualTo("GO");
        assertThat(conns.get(0).get("version").asInt()).isEqualTo(400);
    }

    @Test
    void topicConsumersAreOnlineSubscribersAndGroupsWithOffsetsOnTheTopic() {
        registerConsumer("Online", "client-1", "TopicA");
        registerConsumer("Elsewhere", "client-2", "TopicB");
        offsets.commit("Offline", "TopicA", 0, 3);
        offsets.commit("OtherTopic", "TopicB", 0, 3);

        RemotingCommand resp = h.call(handlers::topicConsumers,
            request(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, "topic", "TopicA"));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode groups = HandlerHarness.bodyJson(resp).get("groupList");
        assertThat(groups).extracting(JsonNode::asText).containsExactly("Offline", "Online");
    }
}
