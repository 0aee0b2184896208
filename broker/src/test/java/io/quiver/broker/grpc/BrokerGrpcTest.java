package io.quiver.broker.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.GetOffsetRequest;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageQueue;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.QueryOffsetPolicy;
import apache.rocketmq.v2.QueryOffsetRequest;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.FilterExpression;
import apache.rocketmq.v2.FilterType;
import com.google.protobuf.util.Durations;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.UpdateOffsetRequest;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.quiver.broker.Broker;
import io.quiver.broker.config.BrokerConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker in this process behind its gRPC endpoint, driven by raw gRPC calls (the RPCs no released SDK makes
 * yet): messages sent over gRPC are pulled back by offset (PullMessage), the group's offset is committed and read
 * back (UpdateOffset, GetOffset), and a queue's first and next offsets are found (QueryOffset).
 */
@Timeout(60)
class BrokerGrpcTest {
    @TempDir
    Path dir;
    Broker broker;
    ManagedChannel channel;
    MessagingServiceGrpc.MessagingServiceBlockingStub stub;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        BrokerConfig c = new BrokerConfig();
        c.bindAddress = "127.0.0.1";
        c.brokerIP1 = "127.0.0.1";
        c.listenPort = freePort();
        c.haListenPort = freePort();
        c.grpcServerPort = freePort();
        c.namesrvAddr = "";
        c.metricsExporterType = "DISABLE";
        c.storePathRootDir = dir.resolve("store");
        c.mappedFileSizeCommitLog = 16 * 1024 * 1024;
        broker = new Broker(c);
        broker.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", broker.grpcPort()).usePlaintext().build();
        stub = MessagingServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
            headers()));
    }

    private static Metadata headers() {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("x-mq-client-id", Metadata.ASCII_STRING_MARSHALLER), "test@1@1@x");
        return h;
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close(false);
        }
    }

    private MessagingServiceGrpc.MessagingServiceBlockingStub call() {
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static MessageQueue queue(int id) {
        return MessageQueue.newBuilder().setTopic(Resource.newBuilder().setName("Pulled")).setId(id).build();
    }

    @Test
    void whatIsSentOverGrpcIsPulledBackByOffsetAndTheGroupsOffsetIsKept() {
        for (int i = 0; i < 5; i++) {
            Message m = Message.newBuilder().setTopic(Resource.newBuilder().setName("Pulled"))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId("ID" + i).setTag("t").setQueueId(0)
                    .setMessageGroup("g").setMessageType(MessageType.FIFO))
                .setBody(ByteString.copyFromUtf8("m" + i)).build();
            SendMessageResponse r = call().sendMessage(SendMessageRequest.newBuilder().addMessages(m).build());
            assertThat(r.getStatus().getCode()).as(r.getStatus().getMessage()).isEqualTo(Code.OK);
            assertThat(r.getEntries(0).getOffset()).isEqualTo(i);
        }
        List<String> bodies = new ArrayList<>();
        long next = -1;
        Iterator<PullMessageResponse> it = call().pullMessage(PullMessageRequest.newBuilder()
            .setGroup(Resource.newBuilder().setName("PG")).setMessageQueue(queue(0)).setOffset(1).setBatchSize(3).build());
        Code status = null;
        while (it.hasNext()) {
            PullMessageResponse p = it.next();
            if (p.hasStatus()) {
                status = p.getStatus().getCode();
            } else if (p.hasMessage()) {
                bodies.add(p.getMessage().getBody().toStringUtf8());
                assertThat(p.getMessage().getSystemProperties().getMessageGroup()).isEqualTo("g");
            } else {
                next = p.getNextOffset();
            }
        }
        assertThat(status).isEqualTo(Code.OK);
        assertThat(bodies).containsExactly("m1", "m2", "m3");
        assertThat(next).isEqualTo(4);

        Iterator<PullMessageResponse> empty = call().pullMessage(PullMessageRequest.newBuilder()
            .setGroup(Resource.newBuilder().setName("PG")).setMessageQueue(queue(0)).setOffset(5).setBatchSize(3).build());
        assertThat(empty.next().getStatus().getCode()).as("nothing after the end").isEqualTo(Code.MESSAGE_NOT_FOUND);
        empty.forEachRemaining(x -> { });

        var fresh = call().getOffset(GetOffsetRequest.newBuilder().setGroup(Resource.newBuilder().setName("PG"))
            .setMessageQueue(queue(0)).build());
        // a new group of a queue that still holds its first message starts there (as RocketMQ answers)
        assertThat(fresh.getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(fresh.getOffset()).isZero();
        assertThat(call().updateOffset(UpdateOffsetRequest.newBuilder().setGroup(Resource.newBuilder().setName("PG"))
            .setMessageQueue(queue(0)).setOffset(4).build()).getStatus().getCode()).isEqualTo(Code.OK);
        var got = call().getOffset(GetOffsetRequest.newBuilder().setGroup(Resource.newBuilder().setName("PG"))
            .setMessageQueue(queue(0)).build());
        assertThat(got.getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(got.getOffset()).isEqualTo(4);

        assertThat(call().queryOffset(QueryOffsetRequest.newBuilder().setMessageQueue(queue(0))
            .setQueryOffsetPolicy(QueryOffsetPolicy.BEGINNING).build()).getOffset()).isZero();
        assertThat(call().queryOffset(QueryOffsetRequest.newBuilder().setMessageQueue(queue(0))
            .setQueryOffsetPolicy(QueryOffsetPolicy.END).build()).getOffset()).isEqualTo(5);
        assertThat(call().queryOffset(QueryOffsetRequest.newBuilder().setMessageQueue(queue(0))
            .setQueryOffsetPolicy(QueryOffsetPolicy.TIMESTAMP).build()).getStatus().getCode()).isEqualTo(Code.BAD_REQUEST);
    }

    private Message plain(String topic, String id, String body) {
        return Message.newBuilder().setTopic(Resource.newBuilder().setName(topic))
            .setSystemProperties(SystemProperties.newBuilder().setMessageId(id).setMessageType(MessageType.NORMAL))
            .setBody(ByteString.copyFromUtf8(body)).build();
    }

    private static ReceiveMessageRequest receive(String topic, long pollMillis) {
        return ReceiveMessageRequest.newBuilder().setGroup(Resource.newBuilder().setName("CG_cancel"))
            .setMessageQueue(MessageQueue.newBuilder().setTopic(Resource.newBuilder().setName(topic)).setId(0))
            .setFilterExpression(FilterExpression.newBuilder().setType(FilterType.TAG).setExpression("*"))
            .setBatchSize(32).setInvisibleDuration(Durations.fromSeconds(30))
            .setLongPollingTimeout(Durations.fromMillis(pollMillis)).build();
    }

    /** The bodies of one receive's answer. */
    private List<String> bodies(Iterator<ReceiveMessageResponse> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(r -> {
            if (r.hasMessage()) {
                out.add(r.getMessage().getBody().toStringUtf8());
            }
        });
        return out;
    }

    @Test
    void aMessagePoppedForAReceiveTheClientCancelledIsVisibleAgainAtOnce() throws Exception {
        assertThat(call().sendMessage(SendMessageRequest.newBuilder().addMessages(plain("Cancelled", "ID0", "first"))
            .build()).getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(bodies(call().receiveMessage(receive("Cancelled", 1_000)))).containsExactly("first");

        // a long poll that finds nothing, cancelled by its client while it waits at the broker
        io.grpc.Context.CancellableContext waiting = io.grpc.Context.current().withCancellation();
        List<ReceiveMessageResponse> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        waiting.run(() -> MessagingServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
            headers())).withDeadlineAfter(20, TimeUnit.SECONDS).receiveMessage(receive("Cancelled", 15_000),
            new io.grpc.stub.StreamObserver<>() {
                public void onNext(ReceiveMessageResponse r) {
                    got.add(r);
                }

                public void onError(Throwable t) {
                }

                public void onCompleted() {
                }
            }));
        Thread.sleep(500);
        waiting.cancel(null);
        Thread.sleep(500);
        // stored now, it wakes the abandoned pop; the message must not stay hidden for the pop's 30 s
        assertThat(call().sendMessage(SendMessageRequest.newBuilder().addMessages(plain("Cancelled", "ID1", "second"))
            .build()).getStatus().getCode()).isEqualTo(Code.OK);
        long t0 = System.nanoTime();
        List<String> again = new ArrayList<>();
        while (again.isEmpty() && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15)) {
            again.addAll(bodies(call().receiveMessage(receive("Cancelled", 2_000))));
        }
        assertThat(again).containsExactly("second");
        assertThat(got).as("nothing reached the cancelled call").noneMatch(ReceiveMessageResponse::hasMessage);
    }
}
