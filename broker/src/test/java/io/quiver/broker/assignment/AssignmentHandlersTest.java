package io.quiver.broker.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.body.HeartbeatData;
import io.quiver.protocol.body.QueryAssignment;
import io.quiver.protocol.body.TopicRouteData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Unit tier: QUERY_ASSIGNMENT over every readable queue of the route, for the clients this broker knows. */
class AssignmentHandlersTest {
    private final ClientRegistry clients = new ClientRegistry(100);
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;
    private io.quiver.broker.metadata.MessageRequestModeTable modes;
    private AssignmentHandlers handlers;

    @org.junit.jupiter.api.BeforeEach
    void setUp() {
        modes = new io.quiver.broker.metadata.MessageRequestModeTable(dir, 10);
        handlers = new AssignmentHandlers(clients, t -> CompletableFuture.completedFuture(null), modes);
    }

    private static TopicRouteData route() {
        TopicRouteData r = new TopicRouteData();
        TopicRouteData.QueueData a = new TopicRouteData.QueueData();
        a.brokerName = "broker-b";
        a.readQueueNums = 2;
        a.perm = 6;
        TopicRouteData.QueueData b = new TopicRouteData.QueueData();
        b.brokerName = "broker-a";
        b.readQueueNums = 2;
        b.perm = 6;
        TopicRouteData.QueueData writeOnly = new TopicRouteData.QueueData();
        writeOnly.brokerName = "broker-c";
        writeOnly.readQueueNums = 4;
        writeOnly.perm = 2;
        r.queueDatas.addAll(List.of(a, b, writeOnly));
        return r;
    }

    private void member(String clientId) {
        HeartbeatData.ConsumerData d = new HeartbeatData.ConsumerData();
        d.groupName = "G";
        d.consumeType = "CONSUME_PASSIVELY";
        d.messageModel = "CLUSTERING";
        d.consumeFromWhere = "CONSUME_FROM_LAST_OFFSET";
        clients.registerConsumer(d, new ClientChannel(new EmbeddedChannel(), clientId, LanguageCode.JAVA, 409, 1), 1);
    }

    private static QueryAssignment.Request ask(String clientId, String strategy, String model) {
        QueryAssignment.Request q = new QueryAssignment.Request();
        q.topic = "T";
        q.consumerGroup = "G";
        q.clientId = clientId;
        q.strategyName = strategy;
        q.messageModel = model;
        return q;
    }

    private static List<String> queues(List<QueryAssignment.Assignment> a) {
        return a.stream().map(x -> x.messageQueue.brokerName + "#" + x.messageQueue.queueId + "/" + x.mode).toList();
    }

    @Test
    void eachClientGetsItsShareOfTheReadableQueuesOfEveryBroker() {
        member("c2");
        member("c1");
        assertThat(queues(handlers.assign(ask("c1", "AVG", "CLUSTERING"), route())))
            .containsExactly("broker-a#0/PULL", "broker-a#1/PULL");
        assertThat(queues(handlers.assign(ask("c2", "AVG", "CLUSTERING"), route())))
            .containsExactly("broker-b#0/PULL", "broker-b#1/PULL");
        assertThat(queues(handlers.assign(ask("c1", "AVG", "BROADCASTING"), route()))).hasSize(4);
    }

    @Test
    void withoutARouteAGroupOrAKnownStrategyTheClientIsToldToAskAgain() {
        member("c1");
        assertThat(handlers.assign(ask("c1", "AVG", "CLUSTERING"), null)).isNull();
        assertThat(handlers.assign(ask("c1", "CONSISTENT_HASH", "CLUSTERING"), route())).isNull();
        QueryAssignment.Request other = ask("c1", "AVG", "CLUSTERING");
        other.consumerGroup = "nobody";
        assertThat(handlers.assign(other, route())).isNull();
    }

    @Test
    void aGroupSetToPopGetsOnePopAssignmentPerBrokerAndTheSettingPersists() {
        member("c1");
        member("c2");
        io.quiver.protocol.body.MessageRequestMode m = new io.quiver.protocol.body.MessageRequestMode();
        m.topic = "T";
        m.consumerGroup = "G";
        m.mode = "POP";
        assertThat(modes.put(m)).isTrue();
        assertThat(queues(handlers.assign(ask("c1", "AVG", "CLUSTERING"), route())))
            .containsExactly("broker-a#-1/POP", "broker-b#-1/POP");
        QueryAssignment.Request retry = ask("c1", "AVG", "CLUSTERING");
        retry.topic = "%RETRY%G";
        assertThat(queues(handlers.assign(retry, route()))).allMatch(s -> s.endsWith("/PULL"));
        io.quiver.broker.metadata.MessageRequestModeTable reloaded = new io.quiver.broker.metadata.MessageRequestModeTable(dir, 10);
        reloaded.load();
        assertThat(reloaded.get("T", "G").mode).isEqualTo("POP");
        assertThat(reloaded.get("T", "other")).isNull();
    }
}
