package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.apache.rocketmq.common.protocol.header.EndTransactionRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerConnectionListRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerListByGroupRequestHeader;
import org.apache.rocketmq.common.protocol.header.NotifyConsumerIdsChangedRequestHeader;
import org.apache.rocketmq.common.protocol.header.UnregisterClientRequestHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: client-session headers (codes 35, 37, 38, 40, 203) from the official 4.9.8 encoder decode exactly. */
@Timeout(10)
class ClientHeadersGoldenTest {

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void unregisterProducer(SerializeType type) {
        UnregisterClientRequestHeader h = new UnregisterClientRequestHeader();
        h.setClientID("10.0.0.9@12345#1700000000");
        h.setProducerGroup("ProducerGroupA");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UNREGISTER_CLIENT, h, type);
        assertThat(RequestHeaders.UnregisterClient.decode(c))
            .isEqualTo(new RequestHeaders.UnregisterClient("10.0.0.9@12345#1700000000", "ProducerGroupA", null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void unregisterConsumer(SerializeType type) {
        UnregisterClientRequestHeader h = new UnregisterClientRequestHeader();
        h.setClientID("10.0.0.9@12345");
        h.setConsumerGroup("ConsumerGroupA");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UNREGISTER_CLIENT, h, type);
        assertThat(RequestHeaders.UnregisterClient.decode(c))
            .isEqualTo(new RequestHeaders.UnregisterClient("10.0.0.9@12345", null, "ConsumerGroupA"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getConsumerListByGroup(SerializeType type) {
        GetConsumerListByGroupRequestHeader h = new GetConsumerListByGroupRequestHeader();
        h.setConsumerGroup("ConsumerGroupA");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_CONSUMER_LIST_BY_GROUP, h, type);
        assertThat(RequestHeaders.ConsumerGroup.decode(c))
            .isEqualTo(new RequestHeaders.ConsumerGroup("ConsumerGroupA"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void notifyConsumerIdsChangedSentOneway(SerializeType type) {
        NotifyConsumerIdsChangedRequestHeader h = new NotifyConsumerIdsChangedRequestHeader();
        h.setConsumerGroup("ConsumerGroupB");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, h, type,
            org.apache.rocketmq.remoting.protocol.RemotingCommand::markOnewayRPC);
        assertThat(c.isOneway()).isTrue();
        assertThat(RequestHeaders.ConsumerGroup.decode(c))
            .isEqualTo(new RequestHeaders.ConsumerGroup("ConsumerGroupB"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getConsumerConnectionList(SerializeType type) {
        GetConsumerConnectionListRequestHeader h = new GetConsumerConnectionListRequestHeader();
        h.setConsumerGroup("%RETRY%-like_Group-1");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_CONSUMER_CONNECTION_LIST, h, type);
        assertThat(RequestHeaders.ConsumerGroup.decode(c))
            .isEqualTo(new RequestHeaders.ConsumerGroup("%RETRY%-like_Group-1"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void endTransactionCommitSentOneway(SerializeType type) {
        EndTransactionRequestHeader h = new EndTransactionRequestHeader();
        h.setProducerGroup("TxProducerGroup");
        h.setTranStateTableOffset(41L);
        h.setCommitLogOffset(123_456_789_012L);
        h.setCommitOrRollback(RequestHeaders.EndTransaction.COMMIT);
        h.setFromTransactionCheck(true);
        h.setMsgId("0A00000900002A9F0000001CBE991F14");
        h.setTransactionId("7F000001301418B4AAC2208D1F6F0000");
        h.setBname("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.END_TRANSACTION, h, type,
            org.apache.rocketmq.remoting.protocol.RemotingCommand::markOnewayRPC);
        assertThat(c.isOneway()).isTrue();
        assertThat(RequestHeaders.EndTransaction.decode(c)).isEqualTo(new RequestHeaders.EndTransaction(
            "TxProducerGroup", 41L, 123_456_789_012L, 8, true, "0A00000900002A9F0000001CBE991F14",
            "7F000001301418B4AAC2208D1F6F0000"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void endTransactionRollbackWithoutOptionalIds(SerializeType type) {
        EndTransactionRequestHeader h = new EndTransactionRequestHeader();
        h.setProducerGroup("TxProducerGroup");
        h.setTranStateTableOffset(0L);
        h.setCommitLogOffset(4096L);
        h.setCommitOrRollback(RequestHeaders.EndTransaction.ROLLBACK);
        h.setFromTransactionCheck(false);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.END_TRANSACTION, h, type);
        assertThat(RequestHeaders.EndTransaction.decode(c)).isEqualTo(
            new RequestHeaders.EndTransaction("TxProducerGroup", 0L, 4096L, 12, false, null, null));
    }
}
