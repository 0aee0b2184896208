package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import org.apache.rocketmq.common.protocol.header.ConsumerSendMsgBackRequestHeader;
import org.apache.rocketmq.common.protocol.header.DeleteSubscriptionGroupRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumeStatsRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerStatusRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetProducerConnectionListRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.ResetOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetKVListByNamespaceRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.QueryDataVersionRequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Unit tier: the typed headers of the remaining handlers (reset offset, consumer status, query message, send
 * back, consume stats, delete group, producer connections, data version, KV list) decode exactly what the
 * official 4.9.8 client encodes, in JSON and binary; Quiver's own codes decode their fields and defaults.
 */
@Timeout(10)
class HandlerHeadersGoldenTest {

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void resetOffset(SerializeType type) {
        ResetOffsetRequestHeader h = new ResetOffsetRequestHeader();
        h.setTopic("Orders");
        h.setGroup("G1");
        h.setTimestamp(1_700_000_000_123L);
        h.setForce(false);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, h, type);
        assertThat(RequestHeaders.ResetOffset.decode(c))
            .isEqualTo(new RequestHeaders.ResetOffset("Orders", "G1", 1_700_000_000_123L, false));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void consumerStatus(SerializeType type) {
        GetConsumerStatusRequestHeader h = new GetConsumerStatusRequestHeader();
        h.setTopic("Orders");
        h.setGroup("G1");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.INVOKE_BROKER_TO_GET_CONSUMER_STATUS, h, type);
        assertThat(RequestHeaders.ConsumerStatus.decode(c)).isEqualTo(new RequestHeaders.ConsumerStatus("Orders", "G1", null));
        h.setClientAddr("10.0.0.7:5000");
        c = OfficialFrames.viaOfficialClient(RequestCode.INVOKE_BROKER_TO_GET_CONSUMER_STATUS, h, type);
        assertThat(RequestHeaders.ConsumerStatus.decode(c).clientAddr()).isEqualTo("10.0.0.7:5000");
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void queryMessageByKeyAndByUniqueKey(SerializeType type) {
        QueryMessageRequestHeader h = new QueryMessageRequestHeader();
        h.setTopic("Orders");
        h.setKey("order-42");
        h.setMaxNum(32);
        h.setBeginTimestamp(1L);
        h.setEndTimestamp(Long.MAX_VALUE);
        RemotingCommand byKey = OfficialFrames.viaOfficialClient(RequestCode.QUERY_MESSAGE, h, type);
        assertThat(RequestHeaders.QueryMessage.decode(byKey))
            .isEqualTo(new RequestHeaders.QueryMessage("Orders", "order-42", 32, 1L, Long.MAX_VALUE, false));
        RemotingCommand unique = OfficialFrames.viaOfficialClient(RequestCode.QUERY_MESSAGE, h, type,
            cmd -> cmd.addExtField("_UNIQUE_KEY_QUERY", "true")); // as the client's queryMessageByUniqKey does
        assertThat(RequestHeaders.QueryMessage.decode(unique).uniqueKey()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void consumerSendMsgBack(SerializeType type) {
        ConsumerSendMsgBackRequestHeader h = new ConsumerSendMsgBackRequestHeader();
        h.setOffset(123_456L);
        h.setGroup("G1");
        h.setDelayLevel(0);
        h.setOriginMsgId("AC1100010000");
        h.setOriginTopic("Orders");
        h.setUnitMode(false);
        h.setMaxReconsumeTimes(5);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.CONSUMER_SEND_MSG_BACK, h, type);
        assertThat(RequestHeaders.ConsumerSendMsgBack.decode(c))
            .isEqualTo(new RequestHeaders.ConsumerSendMsgBack(123_456L, "G1", 0, "AC1100010000", 5));
        h.setMaxReconsumeTimes(null);
        c = OfficialFrames.viaOfficialClient(RequestCode.CONSUMER_SEND_MSG_BACK, h, type);
        assertThat(RequestHeaders.ConsumerSendMsgBack.decode(c).maxReconsumeTimes()).isNull();
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void consumeStatsWithAndWithoutTopic(SerializeType type) {
        GetConsumeStatsRequestHeader h = new GetConsumeStatsRequestHeader();
        h.setConsumerGroup("G1");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_CONSUME_STATS, h, type);
        assertThat(RequestHeaders.ConsumeStats.decode(c)).isEqualTo(new RequestHeaders.ConsumeStats("G1", null));
        h.setTopic("Orders");
        c = OfficialFrames.viaOfficialClient(RequestCode.GET_CONSUME_STATS, h, type);
        assertThat(RequestHeaders.ConsumeStats.decode(c)).isEqualTo(new RequestHeaders.ConsumeStats("G1", "Orders"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void deleteSubscriptionGroup(SerializeType type) {
        DeleteSubscriptionGroupRequestHeader h = new DeleteSubscriptionGroupRequestHeader();
        h.setGroupName("G1");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_SUBSCRIPTIONGROUP, h, type);
        assertThat(RequestHeaders.DeleteGroup.decode(c)).isEqualTo(new RequestHeaders.DeleteGroup("G1", false));
        h.setRemoveOffset(true); // mqadmin deleteSubGroup -r
        c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_SUBSCRIPTIONGROUP, h, type);
        assertThat(RequestHeaders.DeleteGroup.decode(c)).isEqualTo(new RequestHeaders.DeleteGroup("G1", true));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void producerConnectionsDataVersionAndKvList(SerializeType type) {
        GetProducerConnectionListRequestHeader p = new GetProducerConnectionListRequestHeader();
        p.setProducerGroup("PG1");
        assertThat(RequestHeaders.ProducerGroup.decode(
            OfficialFrames.viaOfficialClient(RequestCode.GET_PRODUCER_CONNECTION_LIST, p, type)).producerGroup())
            .isEqualTo("PG1");
        QueryDataVersionRequestHeader v = new QueryDataVersionRequestHeader();
        v.setBrokerAddr("10.0.0.1:10911");
        v.setBrokerName("broker-a");
        v.setBrokerId(0L);
        v.setClusterName("DefaultCluster");
        assertThat(RequestHeaders.BrokerAddr.decode(
            OfficialFrames.viaOfficialClient(RequestCode.QUERY_DATA_VERSION, v, type)).brokerAddr()).isEqualTo("10.0.0.1:10911");
        GetKVListByNamespaceRequestHeader kv = new GetKVListByNamespaceRequestHeader();
        kv.setNamespace("ORDER_TOPIC_CONFIG");
        assertThat(RequestHeaders.Namespace.decode(
            OfficialFrames.viaOfficialClient(RequestCode.GET_KVLIST_BY_NAMESPACE, kv, type)).namespace())
            .isEqualTo("ORDER_TOPIC_CONFIG");
    }

    @Test
    void quiverCodesDecodeTheirFieldsAndDefaults() {
        RemotingCommand redrive = RemotingCommand.request(RequestCode.QUIVER_DLQ_REDRIVE).putExt("group", "G1");
        assertThat(RequestHeaders.DlqRedrive.decode(redrive)).isEqualTo(new RequestHeaders.DlqRedrive("G1", -1, null));
        redrive.putExt("since", 1_700_000_000_000L).putExt("limit", 50);
        assertThat(RequestHeaders.DlqRedrive.decode(redrive))
            .isEqualTo(new RequestHeaders.DlqRedrive("G1", 1_700_000_000_000L, 50));
        RemotingCommand pending = RemotingCommand.request(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS);
        assertThat(RequestHeaders.ListPending.decode(pending).limit()).isEqualTo(1_000);
        assertThat(RequestHeaders.ListPending.decode(pending.putExt("limit", 7)).limit()).isEqualTo(7);
        assertThatThrownBy(() -> RequestHeaders.DlqRedrive.decode(RemotingCommand.request(RequestCode.QUIVER_DLQ_REDRIVE)))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("group");
        assertThatThrownBy(() -> RequestHeaders.ListPending.decode(
            RemotingCommand.request(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS).putExt("limit", "many")))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("limit");
    }
}
