package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.QueryRouteResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.PermName;
import io.quiver.remoting.RemotingServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint against a stand-in broker (a remoting server with a few handlers, reached in-process): who may call,
 * what bad input gets (status codes, gRPC errors), that refused input never reaches the broker, and TLS and plain
 * text on one port.
 */
class GrpcEndpointTest {
    static final int MAX_MESSAGE_SIZE = 64 * 1024;

    private RemotingServer broker;
    private GrpcEndpoint endpoint;
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger acks = new AtomicInteger();
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        broker = new RemotingServer("fake-broker", "127.0.0.1", 0, 1 << 20);
        broker.register(RequestCode.HEART_BEAT, (ctx, req) -> ctx.reply(ResponseCode.SUCCESS, null), null);
        broker.start();
        BrokerView view = new BrokerView() {
            @Override
            public String brokerName() {
                return "broker-a";
            }

            @Override
            public TopicView topic(String name) {
                return name.equals("T") ? new TopicView("T", 2, 2, PermName.READ_WRITE, null) : null;
            }

            @Override
            public GroupView group(String name) {
                return new GroupView(16, List.of(Duration.ofSeconds(10)), false);
            }

            @Override
            public int maxMessageSize() {
                return MAX_MESSAGE_SIZE;
            }

            @Override
            public java.util.concurrent.CompletableFuture<Sent> send(
                io.quiver.protocol.header.SendMessageRequestHeader header, java.util.Map<String, String> properties,
                byte[] body, java.net.InetSocketAddress from, java.util.concurrent.Executor completeOn) {
                int n = sends.getAndIncrement();
                return java.util.concurrent.CompletableFuture.completedFuture(new Sent(ResponseCode.SUCCESS, null, n,
                    100L * n));
            }

            @Override
            public java.util.concurrent.CompletableFuture<Answer> ack(String group, String topic, int queueId,
                                                                      String extraInfo, long offset) {
                acks.incrementAndGet();
                return java.util.concurrent.CompletableFuture.completedFuture(new Answer(ResponseCode.SUCCESS, null));
            }

            @Override
            public java.util.concurrent.CompletableFuture<List<Peer>> peers(String topic) {
                return java.util.concurrent.CompletableFuture.completedFuture(List.of());
            }
        };
        endpoint = new GrpcEndpoint(new GrpcEndpoint.Config("127.0.0.1", 0, true, null, null), view,
            broker.listenLocally("fake-broker-" + System.nanoTime()));
        endpoint.start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        endpoint.close();
        broker.close();
    }

    private MessagingServiceGrpc.MessagingServiceBlockingStub stub(String clientId) {
        Metadata h = new Metadata();
        if (clientId != null) {
            h.put(ClientMetadata.CLIENT_ID, clientId);
        }
        return MessagingServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Message message(String id, int bodyBytes) {
        return Message.newBuilder().setTopic(Resource.newBuilder().setName("T"))
            .setSystemProperties(SystemProperties.newBuilder().setMessageId(id).setMessageType(MessageType.NORMAL))
            .setBody(ByteString.copyFrom(new byte[bodyBytes])).build();
    }

    @Test
    void aCallerWithoutAClientIdIsRefused() {
        QueryRouteResponse r = stub(null).queryRoute(QueryRouteRequest.newBuilder()
            .setTopic(Resource.newBuilder().setName("T")).build());
        assertThat(r.getStatus().getCode()).isEqualTo(Code.CLIENT_ID_REQUIRED);
        assertThat(r.getStatus().getMessage()).contains("x-mq-client-id");
    }

    @Test
    void theRouteListsTheBrokersQueuesAtTheAddressTheClientUsedAndAnUnknownTopicIsNotFound() {
        QueryRouteResponse r = stub("c1").queryRoute(QueryRouteRequest.newBuilder()
            .setTopic(Resource.newBuilder().setName("T")).setEndpoints(RouteService.endpointsOf("10.1.2.3", 8081)).build());
        assertThat(r.getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(r.getMessageQueuesList()).extracting(q -> q.getId()).containsExactly(0, 1);
        assertThat(r.getMessageQueues(0).getBroker().getEndpoints().getAddresses(0).getHost()).isEqualTo("10.1.2.3");
        QueryRouteResponse missing = stub("c1").queryRoute(QueryRouteRequest.newBuilder()
            .setTopic(Resource.newBuilder().setName("Nope")).build());
        assertThat(missing.getStatus().getCode()).isEqualTo(Code.TOPIC_NOT_FOUND);
    }

    @Test
    void aSendIsStoredThroughTheBrokerAndARefusedOneNeverReachesIt() {
        SendMessageResponse ok = stub("c1").sendMessage(SendMessageRequest.newBuilder().addMessages(message("M1", 10)).build());
        assertThat(ok.getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(ok.getEntries(0).getMessageId()).isEqualTo("M1");
        assertThat(sends.get()).isEqualTo(1);

        Message forged = message("M2", 10).toBuilder().putUserProperties("UNIQ_KEY", "x").build();
        SendMessageResponse refused = stub("c1").sendMessage(SendMessageRequest.newBuilder().addMessages(forged).build());
        assertThat(refused.getStatus().getCode()).isEqualTo(Code.ILLEGAL_MESSAGE_PROPERTY_KEY);
        SendMessageResponse big = stub("c1").sendMessage(SendMessageRequest.newBuilder()
            .addMessages(message("M3", MAX_MESSAGE_SIZE + 1)).build());
        assertThat(big.getStatus().getCode()).isEqualTo(Code.MESSAGE_BODY_TOO_LARGE);
        SendMessageResponse empty = stub("c1").sendMessage(SendMessageRequest.getDefaultInstance());
        assertThat(empty.getStatus().getCode()).isEqualTo(Code.MESSAGE_CORRUPTED);
        assertThat(sends.get()).isEqualTo(1);
    }

    @Test
    void aRequestLargerThanTheLimitIsRefusedByGrpcBeforeItIsRead() {
        assertThatThrownBy(() -> stub("c1").sendMessage(SendMessageRequest.newBuilder()
            .addMessages(message("M4", MAX_MESSAGE_SIZE + GrpcEndpoint.INBOUND_MARGIN_BYTES + 1)).build()))
            .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("RESOURCE_EXHAUSTED");
        assertThat(sends.get()).isZero();
    }

    @Test
    void anInvalidReceiptHandleGetsItsCodeAndNothingIsAcknowledged() {
        AckMessageResponse r = stub("c1").ackMessage(AckMessageRequest.newBuilder()
            .setGroup(Resource.newBuilder().setName("G")).setTopic(Resource.newBuilder().setName("T"))
            .addEntries(AckMessageEntry.newBuilder().setMessageId("M1").setReceiptHandle("not a handle")).build());
        assertThat(r.getStatus().getCode()).isEqualTo(Code.INVALID_RECEIPT_HANDLE);
        assertThat(r.getEntries(0).getStatus().getMessage()).contains("not a receipt handle");
        assertThat(acks.get()).isZero();
        AckMessageResponse good = stub("c1").ackMessage(AckMessageRequest.newBuilder()
            .setGroup(Resource.newBuilder().setName("G")).setTopic(Resource.newBuilder().setName("T"))
            .addEntries(AckMessageEntry.newBuilder().setMessageId("M1")
                .setReceiptHandle(new ReceiptHandle(0, 1, 30_000, 0, false, "broker-a", 0, 0, 0).encode())).build());
        assertThat(good.getStatus().getCode()).isEqualTo(Code.OK);
        assertThat(acks.get()).isEqualTo(1);
    }

    @Test
    void anRpcThisBrokerDoesNotServeIsUnimplementedAndMalformedProtobufIsRefused() {
        // RecallMessage came with rocketmq-proto 2.0.4; this endpoint serves 2.0.3's RPCs
        MethodDescriptor<byte[], byte[]> recall = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("apache.rocketmq.v2.MessagingService/RecallMessage")
            .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel.newCall(recall,
            io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), new byte[0]))
            .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNIMPLEMENTED");
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("apache.rocketmq.v2.MessagingService/SendMessage")
            .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();
        ClientCall<byte[], byte[]> call = channel.newCall(raw, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        // grpc-java fails a request it cannot parse before any of our code runs (status UNKNOWN)
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call, new byte[] {(byte) 0xFF, 0x01, 0x02, 0x03}))
            .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNKNOWN");
        assertThat(sends.get()).isZero();
    }

    @Test
    void tlsAndPlainTextAreServedOnOnePort() throws Exception {
        ManagedChannel tls = NettyChannelBuilder.forAddress("127.0.0.1", endpoint.port())
            .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()).build();
        try {
            Metadata h = new Metadata();
            h.put(ClientMetadata.CLIENT_ID, "tls-client");
            QueryRouteResponse r = MessagingServiceGrpc.newBlockingStub(tls)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .queryRoute(QueryRouteRequest.newBuilder().setTopic(Resource.newBuilder().setName("T")).build());
            assertThat(r.getStatus().getCode()).isEqualTo(Code.OK);
        } finally {
            tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(stub("plain").queryRoute(QueryRouteRequest.newBuilder().setTopic(Resource.newBuilder().setName("T"))
            .build()).getStatus().getCode()).isEqualTo(Code.OK);
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
