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

    @Test
    void aFifoGroupIsAssignedEveryQueueAndAnyOtherGroupUpToFourLanes() {
        BrokerView view = new BrokerView() {
            @Override
            public String brokerName() {
                return "b";
            }

            @Override
            public TopicView topic(String name) {
                return new TopicView(name, 8, 8, PermName.READ_WRITE, null);
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
        };
        RouteService r = new RouteService(view, RouteService.endpointsOf("127.0.0.1", 8081));
        apache.rocketmq.v2.Resource topic = apache.rocketmq.v2.Resource.newBuilder().setName("T").build();
        var fifo = r.assignment(apache.rocketmq.v2.QueryAssignmentRequest.newBuilder().setTopic(topic)
            .setGroup(apache.rocketmq.v2.Resource.newBuilder().setName("fifo-g")).build());
        assertThat(fifo.getAssignmentsList()).extracting(a -> a.getMessageQueue().getId()).containsExactly(0, 1, 2, 3, 4, 5,
            6, 7);
        var plain = r.assignment(apache.rocketmq.v2.QueryAssignmentRequest.newBuilder().setTopic(topic)
            .setGroup(apache.rocketmq.v2.Resource.newBuilder().setName("g")).build());
        assertThat(plain.getAssignmentsList()).extracting(a -> a.getMessageQueue().getId()).containsExactly(0, 1, 2, 3);
        assertThat(plain.getAssignments(0).getMessageQueue().getBroker().getEndpoints().getAddresses(0).getPort())
            .isEqualTo(8081);
    }
}
