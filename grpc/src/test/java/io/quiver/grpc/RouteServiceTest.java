package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.Permission;
import io.quiver.protocol.message.PermName;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteServiceTest {
    @Test
    void queueIdsAreTheBrokersOwnReadableAndWritableFirst() {
        assertThat(RouteService.queues(new BrokerView.TopicView("t", 4, 2, PermName.READ_WRITE, null))).containsExactly(
            new RouteService.Queue(0, Permission.READ_WRITE), new RouteService.Queue(1, Permission.READ_WRITE),
            new RouteService.Queue(2, Permission.READ), new RouteService.Queue(3, Permission.READ));
        assertThat(RouteService.queues(new BrokerView.TopicView("t", 1, 2, PermName.READ_WRITE, null))).containsExactly(
            new RouteService.Queue(0, Permission.READ_WRITE), new RouteService.Queue(1, Permission.WRITE));
        assertThat(RouteService.queues(new BrokerView.TopicView("t", 2, 2, PermName.READ, null))).containsExactly(
            new RouteService.Queue(0, Permission.READ), new RouteService.Queue(1, Permission.READ));
    }

    @Test
    void aTopicWithoutATypeTakesEveryTypeAndATypedOneOnlyItsOwn() {
        assertThat(RouteService.acceptedTypes(null)).containsExactly(MessageType.NORMAL, MessageType.FIFO, MessageType.DELAY,
            MessageType.TRANSACTION);
        assertThat(RouteService.acceptedTypes("FIFO")).isEqualTo(List.of(MessageType.FIFO));
        assertThat(RouteService.acceptedTypes("odd")).isEqualTo(List.of(MessageType.MESSAGE_TYPE_UNSPECIFIED));
    }

    /** A broker with topic "T" (8 queues), no topic "Remote", and one other broker group, broker-b, with 4 queues of both. */
    static final class View implements BrokerView {
        final java.util.concurrent.atomic.AtomicInteger peerCalls = new java.util.concurrent.atomic.AtomicInteger();
        volatile List<Peer> others = List.of(new Peer("broker-b", "10.0.0.2", 8091, 4, 4, PermName.READ_WRITE));

        @Override
        public String brokerName() {
            return "b";
        }

        @Override
        public TopicView topic(String name) {
            return name.equals("T") ? new TopicView(name, 8, 8, PermName.READ_WRITE, null) : null;
        }

        @Override
        public GroupView group(String name) {
            return new GroupView(16, List.of(java.time.Duration.ofSeconds(1)), name.startsWith("fifo"));
        }

        @Override
        public int maxMessageSize() {
            return 1024;
        }

        @Override
        public java.util.concurrent.CompletableFuture<Sent> send(
            io.quiver.protocol.header.SendMessageRequestHeader header, java.util.Map<String, String> properties,
            byte[] body, java.net.InetSocketAddress from, java.util.concurrent.Executor completeOn) {
            throw new AssertionError("no send expected");
        }

        @Override
        public java.util.concurrent.CompletableFuture<Answer> ack(String group, String topic, int queueId,
                                                                  String extraInfo, long offset) {
            throw new AssertionError("no acknowledgement expected");
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<Peer>> peers(String topic) {
            peerCalls.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(others);
        }
    }

    static apache.rocketmq.v2.QueryAssignmentResponse assignment(RouteService r, String topic, String group) {
        return r.assignment(apache.rocketmq.v2.QueryAssignmentRequest.newBuilder()
            .setTopic(apache.rocketmq.v2.Resource.newBuilder().setName(topic))
            .setGroup(apache.rocketmq.v2.Resource.newBuilder().setName(group)).build()).join();
    }

    static apache.rocketmq.v2.QueryRouteResponse route(RouteService r, String topic) {
        return r.route(apache.rocketmq.v2.QueryRouteRequest.newBuilder()
            .setTopic(apache.rocketmq.v2.Resource.newBuilder().setName(topic)).build()).join();
    }

    static List<String> brokers(List<apache.rocketmq.v2.MessageQueue> queues) {
        return queues.stream().map(q -> q.getBroker().getName() + ":" + q.getId() + "@"
            + q.getBroker().getEndpoints().getAddresses(0).getPort()).toList();
    }

    @Test
    void aFifoGroupIsAssignedEveryQueueOfEveryBrokerAndAnyOtherGroupUpToFourLanesPerBroker() {
        RouteService r = new RouteService(new View(), RouteService.endpointsOf("127.0.0.1", 8081));
        var fifo = assignment(r, "T", "fifo-g");
        assertThat(brokers(fifo.getAssignmentsList().stream().map(a -> a.getMessageQueue()).toList())).containsExactly(
            "b:0@8081", "b:1@8081", "b:2@8081", "b:3@8081", "b:4@8081", "b:5@8081", "b:6@8081", "b:7@8081",
            "broker-b:0@8091", "broker-b:1@8091", "broker-b:2@8091", "broker-b:3@8091");
        var plain = assignment(r, "T", "g");
        assertThat(brokers(plain.getAssignmentsList().stream().map(a -> a.getMessageQueue()).toList())).containsExactly(
            "b:0@8081", "b:1@8081", "b:2@8081", "b:3@8081",
            "broker-b:0@8091", "broker-b:1@8091", "broker-b:2@8091", "broker-b:3@8091");
    }

    @Test
    void aRouteHasEveryBrokerOfTheTopicEachAtItsOwnEndpointAndTheOthersAreAskedForOncePerPeriod() {
        View view = new View();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        java.time.Clock clock = new java.time.Clock() {
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public java.time.Instant instant() {
                return java.time.Instant.ofEpochMilli(now.get());
            }
        };
        RouteService r = new RouteService(view, RouteService.endpointsOf("127.0.0.1", 8081), clock);
        var t = route(r, "T");
        assertThat(t.getStatus().getCode()).isEqualTo(apache.rocketmq.v2.Code.OK);
        assertThat(brokers(t.getMessageQueuesList())).hasSize(12).contains("b:7@8081", "broker-b:3@8091");
        assertThat(t.getMessageQueues(11).getBroker().getEndpoints().getAddresses(0).getHost()).isEqualTo("10.0.0.2");
        assertThat(t.getMessageQueues(11).getBroker().getEndpoints().getScheme()).isEqualTo(
            apache.rocketmq.v2.AddressScheme.IPv4);
        // a topic this broker lacks is still routed to the brokers that have it
        assertThat(brokers(route(r, "Remote").getMessageQueuesList())).containsExactly("broker-b:0@8091",
            "broker-b:1@8091", "broker-b:2@8091", "broker-b:3@8091");
        assertThat(view.peerCalls.get()).isEqualTo(2);
        route(r, "T");
        assertThat(view.peerCalls.get()).as("remembered").isEqualTo(2);
        now.addAndGet(RouteService.PEERS_TTL_MILLIS);
        view.others = List.of();
        assertThat(route(r, "Remote").getStatus().getCode()).as("broker-b is gone").isEqualTo(
            apache.rocketmq.v2.Code.TOPIC_NOT_FOUND);
        assertThat(brokers(route(r, "T").getMessageQueuesList())).hasSize(8);
        assertThat(assignment(r, "Remote", "g").getStatus().getCode()).isEqualTo(apache.rocketmq.v2.Code.FORBIDDEN);
    }
}
