package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.apache.rocketmq.common.protocol.header.CheckTransactionStateRequestHeader;
import org.apache.rocketmq.common.protocol.header.CreateTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.EndTransactionRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.common.protocol.header.namesrv.RegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.UnRegisterBrokerRequestHeader;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: headers Quiver encodes are read back to the same values by the official 4.9.8 decoder. */
@Timeout(10)
class HeaderEncodeOfficialDecodeTest {

    /** Encodes {@code cmd} with Quiver in {@code type} and decodes frame and header with the official classes. */
    private static <T extends CommandCustomHeader> T official(RemotingCommand cmd, SerializeType type, Class<T> cls)
            throws Exception {
        cmd.serializeType(type);
        org.apache.rocketmq.remoting.protocol.RemotingCommand o = OfficialFrames.officialDecode(
            OfficialFrames.quiverBytes(cmd));
        assertThat(o.getCode()).isEqualTo(cmd.code());
        assertThat(o.getOpaque()).isEqualTo(cmd.opaque());
        assertThat(o.getSerializeTypeCurrentRPC().name()).isEqualTo(type.name());
        return cls.cast(o.decodeCommandCustomHeader(cls));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void checkTransactionStateSentToProducers(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.CHECK_TRANSACTION_STATE).markOneway();
        new RequestHeaders.CheckTransactionState(41L, 123_456_789_012L, "7F000001301418B4AAC2208D1F6F0000",
            "7F000001301418B4AAC2208D1F6F0000", "0A00000900002A9F0000001CBE991F14").encode(cmd);
        CheckTransactionStateRequestHeader h = official(cmd, type, CheckTransactionStateRequestHeader.class);
        assertThat(h.getTranStateTableOffset()).isEqualTo(41L);
        assertThat(h.getCommitLogOffset()).isEqualTo(123_456_789_012L);
        assertThat(h.getMsgId()).isEqualTo("7F000001301418B4AAC2208D1F6F0000");
        assertThat(h.getTransactionId()).isEqualTo("7F000001301418B4AAC2208D1F6F0000");
        assertThat(h.getOffsetMsgId()).isEqualTo("0A00000900002A9F0000001CBE991F14");
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void createTopic(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC);
        new RequestHeaders.CreateTopic("NewTopic", "TBW102", 8, 6, 4, "SINGLE_TAG", 2, true, null).encode(cmd);
        CreateTopicRequestHeader h = official(cmd, type, CreateTopicRequestHeader.class);
        assertThat(h.getTopic()).isEqualTo("NewTopic");
        assertThat(h.getDefaultTopic()).isEqualTo("TBW102");
        assertThat(h.getReadQueueNums()).isEqualTo(8);
        assertThat(h.getWriteQueueNums()).isEqualTo(6);
        assertThat(h.getPerm()).isEqualTo(4);
        assertThat(h.getTopicFilterType()).isEqualTo("SINGLE_TAG");
        assertThat(h.getTopicSysFlag()).isEqualTo(2);
        assertThat(h.getOrder()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBroker(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.REGISTER_BROKER);
        new RequestHeaders.RegisterBroker("broker-a", "10.0.0.1:10911", "DefaultCluster", "10.0.0.1:10912", 1L,
            true, -42, 30_000L).encode(cmd);
        RegisterBrokerRequestHeader h = official(cmd, type, RegisterBrokerRequestHeader.class);
        assertThat(h.getBrokerName()).isEqualTo("broker-a");
        assertThat(h.getBrokerAddr()).isEqualTo("10.0.0.1:10911");
        assertThat(h.getClusterName()).isEqualTo("DefaultCluster");
        assertThat(h.getHaServerAddr()).isEqualTo("10.0.0.1:10912");
        assertThat(h.getBrokerId()).isEqualTo(1L);
        assertThat(h.isCompressed()).isTrue();
        assertThat(h.getBodyCrc32()).isEqualTo(-42);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void unregisterBroker(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.UNREGISTER_BROKER);
        new RequestHeaders.UnregisterBroker("broker-a", "10.0.0.1:10911", "DefaultCluster", 2L).encode(cmd);
        UnRegisterBrokerRequestHeader h = official(cmd, type, UnRegisterBrokerRequestHeader.class);
        assertThat(h.getBrokerName()).isEqualTo("broker-a");
        assertThat(h.getBrokerAddr()).isEqualTo("10.0.0.1:10911");
        assertThat(h.getClusterName()).isEqualTo("DefaultCluster");
        assertThat(h.getBrokerId()).isEqualTo(2L);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void endTransaction(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.END_TRANSACTION);
        new RequestHeaders.EndTransaction("TxGroup", 41L, 4096L, RequestHeaders.EndTransaction.ROLLBACK, true,
            "0A00000900002A9F0000001CBE991F14", "tx-1").encode(cmd);
        EndTransactionRequestHeader h = official(cmd, type, EndTransactionRequestHeader.class);
        assertThat(h.getProducerGroup()).isEqualTo("TxGroup");
        assertThat(h.getTranStateTableOffset()).isEqualTo(41L);
        assertThat(h.getCommitLogOffset()).isEqualTo(4096L);
        assertThat(h.getCommitOrRollback()).isEqualTo(12);
        assertThat(h.getFromTransactionCheck()).isTrue();
        assertThat(h.getMsgId()).isEqualTo("0A00000900002A9F0000001CBE991F14");
        assertThat(h.getTransactionId()).isEqualTo("tx-1");
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void sendMessageV2(SerializeType type) throws Exception {
        RemotingCommand cmd = RemotingCommand.request(RequestCode.SEND_MESSAGE_V2);
        new SendMessageRequestHeader("PG", "%RETRY%G", "TBW102", 8, -1, 0x301, 1_700_000_000_123L, 9,
            "KEYS\u0001订单\u0002TAGS\u0001A", 5, true, 16, true, "broker-b").encodeV2(cmd);
        SendMessageRequestHeaderV2 h = official(cmd, type, SendMessageRequestHeaderV2.class);
        assertThat(h.getA()).isEqualTo("PG");
        assertThat(h.getB()).isEqualTo("%RETRY%G");
        assertThat(h.getC()).isEqualTo("TBW102");
        assertThat(h.getD()).isEqualTo(8);
        assertThat(h.getE()).isEqualTo(-1);
        assertThat(h.getF()).isEqualTo(0x301);
        assertThat(h.getG()).isEqualTo(1_700_000_000_123L);
        assertThat(h.getH()).isEqualTo(9);
        assertThat(h.getI()).isEqualTo("KEYS\u0001订单\u0002TAGS\u0001A");
        assertThat(h.getJ()).isEqualTo(5);
        assertThat(h.isK()).isTrue();
        assertThat(h.getL()).isEqualTo(16);
        assertThat(h.isM()).isTrue();
        // 4.9.8 has no getter for "n"; the broker reads it through its V1 conversion.
        assertThat(SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1(h).getBname()).isEqualTo("broker-b");
    }
}
