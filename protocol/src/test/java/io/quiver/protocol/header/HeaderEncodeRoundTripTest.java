package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: every header Quiver encodes survives encode, frame, decode unchanged in both serializations. */
@Timeout(10)
class HeaderEncodeRoundTripTest {

    /** Puts {@code cmd} through Quiver's frame encoder and decoder in {@code type}. */
    private static RemotingCommand throughTheWire(RemotingCommand cmd, SerializeType type) {
        cmd.serializeType(type);
        RemotingCommand back = OfficialFrames.decodeFrame(OfficialFrames.quiverBytes(cmd), type);
        assertThat(back.code()).isEqualTo(cmd.code());
        assertThat(back.opaque()).isEqualTo(cmd.opaque());
        return back;
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void createTopic(SerializeType type) {
        RequestHeaders.CreateTopic h = new RequestHeaders.CreateTopic("NewTopic", "TBW102", 8, 6, 4, "MULTI_TAG", 2,
            true, "+message.type=FIFO");
        RemotingCommand cmd = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC);
        h.encode(cmd);
        assertThat(RequestHeaders.CreateTopic.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void createTopicWithNullOptionals(SerializeType type) {
        RequestHeaders.CreateTopic h = new RequestHeaders.CreateTopic("Plain", null, 1, 1, 6, null, 0, false, null);
        RemotingCommand cmd = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC);
        h.encode(cmd);
        assertThat(RequestHeaders.CreateTopic.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBroker(SerializeType type) {
        RequestHeaders.RegisterBroker h = new RequestHeaders.RegisterBroker("broker-a", "10.0.0.1:10911",
            "DefaultCluster", "10.0.0.1:10912", 3L, true, Integer.MIN_VALUE, 30_000L);
        RemotingCommand cmd = RemotingCommand.request(RequestCode.REGISTER_BROKER);
        h.encode(cmd);
        assertThat(RequestHeaders.RegisterBroker.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBrokerWithoutHeartbeatTimeout(SerializeType type) {
        RequestHeaders.RegisterBroker h = new RequestHeaders.RegisterBroker("broker-a", "10.0.0.1:10911",
            "DefaultCluster", "10.0.0.1:10912", 0L, false, 17, null);
        RemotingCommand cmd = RemotingCommand.request(RequestCode.REGISTER_BROKER);
        h.encode(cmd);
        assertThat(RequestHeaders.RegisterBroker.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBrokerWithItsEpochAndGrpcEndpoint(SerializeType type) {
        RequestHeaders.RegisterBroker h = new RequestHeaders.RegisterBroker("broker-a", "10.0.0.1:10911",
            "DefaultCluster", "10.0.0.1:10912", 0L, false, 17, null, 4L, "10.0.0.1:8081");
        RemotingCommand cmd = RemotingCommand.request(RequestCode.REGISTER_BROKER);
        h.encode(cmd);
        assertThat(RequestHeaders.RegisterBroker.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @org.junit.jupiter.api.Test
    void grpcAddressesOfARouteAnswer() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("10.0.0.1:10911", "10.0.0.1:8081");
        m.put("10.0.0.2:10911", "10.0.0.2:8091");
        String field = RequestHeaders.GrpcAddresses.encode(m);
        assertThat(field).isEqualTo("10.0.0.1:10911=10.0.0.1:8081;10.0.0.2:10911=10.0.0.2:8091");
        assertThat(RequestHeaders.GrpcAddresses.decode(field)).isEqualTo(m);
        assertThat(RequestHeaders.GrpcAddresses.decode(null)).isEmpty();
        assertThat(RequestHeaders.GrpcAddresses.decode("junk;=x;y=;a=b")).containsExactly(java.util.Map.entry("a", "b"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void unregisterBroker(SerializeType type) {
        RequestHeaders.UnregisterBroker h = new RequestHeaders.UnregisterBroker("broker-a", "10.0.0.1:10911",
            "DefaultCluster", Long.MAX_VALUE);
        RemotingCommand cmd = RemotingCommand.request(RequestCode.UNREGISTER_BROKER);
        h.encode(cmd);
        assertThat(RequestHeaders.UnregisterBroker.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void endTransaction(SerializeType type) {
        RequestHeaders.EndTransaction h = new RequestHeaders.EndTransaction("TxGroup", 41L, 123_456_789_012L,
            RequestHeaders.EndTransaction.UNKNOWN, true, "0A00000900002A9F0000001CBE991F14", "tx-ü-1");
        RemotingCommand cmd = RemotingCommand.request(RequestCode.END_TRANSACTION).markOneway();
        h.encode(cmd);
        RemotingCommand back = throughTheWire(cmd, type);
        assertThat(back.isOneway()).isTrue();
        assertThat(RequestHeaders.EndTransaction.decode(back)).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendMessageV2(SerializeType type) {
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", "%RETRY%G", "TBW102", 8, -1, 0x301,
            Long.MAX_VALUE, Integer.MIN_VALUE, "KEYS\u0001订单 1\u0002TAGS\u0001A", 5, true, 16, false, "broker-b");
        RemotingCommand cmd = RemotingCommand.request(RequestCode.SEND_MESSAGE_V2);
        h.encodeV2(cmd);
        assertThat(SendMessageRequestHeader.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendBatchMessageV2(SerializeType type) {
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", "T", "TBW102", 4, 0, 0, 1L, 0, null, 0,
            false, null, true, null);
        RemotingCommand cmd = RemotingCommand.request(RequestCode.SEND_BATCH_MESSAGE);
        h.encodeV2(cmd);
        assertThat(SendMessageRequestHeader.decode(throughTheWire(cmd, type))).isEqualTo(h);
    }
}
