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
}
