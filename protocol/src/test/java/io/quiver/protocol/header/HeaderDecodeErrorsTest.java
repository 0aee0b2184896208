package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.rocketmq.common.protocol.header.CreateTopicRequestHeader;
import org.apache.rocketmq.common.protocol.header.EndTransactionRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetConsumerListByGroupRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetMaxOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.GetTopicsByClusterRequestHeader;
import org.apache.rocketmq.common.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.SearchOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.common.protocol.header.UnregisterClientRequestHeader;
import org.apache.rocketmq.common.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.apache.rocketmq.common.protocol.header.ViewMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.DeleteTopicFromNamesrvRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.PutKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.RegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.UnRegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.WipeWritePermOfBrokerRequestHeader;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Unit tier: each header decoder reports a missing required field or bad number as a ProtocolException naming it. */
@Timeout(30)
class HeaderDecodeErrorsTest {

    /** One decoder, an official header with every field set, and which of its ext keys are required or numeric. */
    record Case(String name, int code, Supplier<CommandCustomHeader> header, Function<RemotingCommand, Object> decoder,
                List<String> required, List<String> ints, List<String> longs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = List.of(
        new Case("TopicQueue", RequestCode.GET_MAX_OFFSET, () -> {
            GetMaxOffsetRequestHeader h = new GetMaxOffsetRequestHeader();
            h.setTopic("T");
            h.setQueueId(1);
            return h;
        }, RequestHeaders.TopicQueue::decode, List.of("topic", "queueId"), List.of("queueId"), List.of()),
        new Case("SearchOffset", RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, () -> {
            SearchOffsetRequestHeader h = new SearchOffsetRequestHeader();
            h.setTopic("T");
            h.setQueueId(1);
            h.setTimestamp(5L);
            return h;
        }, RequestHeaders.SearchOffset::decode, List.of("topic", "queueId", "timestamp"), List.of("queueId"),
            List.of("timestamp")),
        new Case("QueryConsumerOffset", RequestCode.QUERY_CONSUMER_OFFSET, () -> {
            QueryConsumerOffsetRequestHeader h = new QueryConsumerOffsetRequestHeader();
            h.setConsumerGroup("G");
            h.setTopic("T");
            h.setQueueId(1);
            return h;
        }, RequestHeaders.QueryConsumerOffset::decode, List.of("consumerGroup", "topic", "queueId"),
            List.of("queueId"), List.of()),
        new Case("UpdateConsumerOffset", RequestCode.UPDATE_CONSUMER_OFFSET, () -> {
            UpdateConsumerOffsetRequestHeader h = new UpdateConsumerOffsetRequestHeader();
            h.setConsumerGroup("G");
            h.setTopic("T");
            h.setQueueId(1);
            h.setCommitOffset(9L);
            return h;
        }, RequestHeaders.UpdateConsumerOffset::decode, List.of("consumerGroup", "topic", "queueId", "commitOffset"),
            List.of("queueId"), List.of("commitOffset")),
        new Case("UnregisterClient", RequestCode.UNREGISTER_CLIENT, () -> {
            UnregisterClientRequestHeader h = new UnregisterClientRequestHeader();
            h.setClientID("c1");
            h.setProducerGroup("PG");
            h.setConsumerGroup("CG");
            return h;
        }, RequestHeaders.UnregisterClient::decode, List.of("clientID"), List.of(), List.of()),
        new Case("ConsumerGroup", RequestCode.GET_CONSUMER_LIST_BY_GROUP, () -> {
            GetConsumerListByGroupRequestHeader h = new GetConsumerListByGroupRequestHeader();
            h.setConsumerGroup("G");
            return h;
        }, RequestHeaders.ConsumerGroup::decode, List.of("consumerGroup"), List.of(), List.of()),
        new Case("Topic", RequestCode.GET_ROUTEINFO_BY_TOPIC, () -> {
            GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
            h.setTopic("T");
            return h;
        }, RequestHeaders.Topic::decode, List.of("topic"), List.of(), List.of()),
        new Case("CreateTopic", RequestCode.UPDATE_AND_CREATE_TOPIC, () -> {
            CreateTopicRequestHeader h = new CreateTopicRequestHeader();
            h.setTopic("T");
            h.setDefaultTopic("TBW102");
            h.setReadQueueNums(4);
            h.setWriteQueueNums(4);
            h.setPerm(6);
            h.setTopicFilterType("SINGLE_TAG");
            h.setTopicSysFlag(0);
            h.setOrder(false);
            return h;
        }, RequestHeaders.CreateTopic::decode, List.of("topic", "readQueueNums", "writeQueueNums", "perm"),
            List.of("readQueueNums", "writeQueueNums", "perm", "topicSysFlag"), List.of()),
        new Case("RegisterBroker", RequestCode.REGISTER_BROKER, () -> {
            RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
            h.setBrokerName("b");
            h.setBrokerAddr("1.2.3.4:10911");
            h.setClusterName("C");
            h.setHaServerAddr("1.2.3.4:10912");
            h.setBrokerId(0L);
            h.setCompressed(false);
            h.setBodyCrc32(1);
            return h;
        }, RequestHeaders.RegisterBroker::decode, List.of("brokerName", "brokerAddr", "clusterName", "brokerId"),
            List.of("bodyCrc32"), List.of("brokerId", "heartbeatTimeoutMillis")),
        new Case("UnregisterBroker", RequestCode.UNREGISTER_BROKER, () -> {
            UnRegisterBrokerRequestHeader h = new UnRegisterBrokerRequestHeader();
            h.setBrokerName("b");
            h.setBrokerAddr("1.2.3.4:10911");
            h.setClusterName("C");
            h.setBrokerId(0L);
            return h;
        }, RequestHeaders.UnregisterBroker::decode, List.of("brokerName", "brokerAddr", "clusterName", "brokerId"),
            List.of(), List.of("brokerId")),
        new Case("KvConfig", RequestCode.PUT_KV_CONFIG, () -> {
            PutKVConfigRequestHeader h = new PutKVConfigRequestHeader();
            h.setNamespace("NS");
            h.setKey("k");
            h.setValue("v");
            return h;
        }, RequestHeaders.KvConfig::decode, List.of("namespace", "key"), List.of(), List.of()),
        new Case("ViewMessageById", RequestCode.VIEW_MESSAGE_BY_ID, () -> {
            ViewMessageRequestHeader h = new ViewMessageRequestHeader();
            h.setOffset(100L);
            return h;
        }, RequestHeaders.ViewMessageById::decode, List.of("offset"), List.of(), List.of("offset")),
        new Case("BrokerName", RequestCode.WIPE_WRITE_PERM_OF_BROKER, () -> {
            WipeWritePermOfBrokerRequestHeader h = new WipeWritePermOfBrokerRequestHeader();
            h.setBrokerName("b");
            return h;
        }, RequestHeaders.BrokerName::decode, List.of("brokerName"), List.of(), List.of()),
        new Case("EndTransaction", RequestCode.END_TRANSACTION, () -> {
            EndTransactionRequestHeader h = new EndTransactionRequestHeader();
            h.setProducerGroup("PG");
            h.setTranStateTableOffset(1L);
            h.setCommitLogOffset(2L);
            h.setCommitOrRollback(8);
            h.setFromTransactionCheck(false);
            h.setMsgId("m");
            h.setTransactionId("t");
            return h;
        }, RequestHeaders.EndTransaction::decode,
            List.of("producerGroup", "tranStateTableOffset", "commitLogOffset", "commitOrRollback"),
            List.of("commitOrRollback"), List.of("tranStateTableOffset", "commitLogOffset")),
        new Case("Cluster", RequestCode.GET_TOPICS_BY_CLUSTER, () -> {
            GetTopicsByClusterRequestHeader h = new GetTopicsByClusterRequestHeader();
            h.setCluster("C");
            return h;
        }, RequestHeaders.Cluster::decode, List.of("cluster"), List.of(), List.of()),
        new Case("DeleteTopicInNamesrv", RequestCode.DELETE_TOPIC_IN_NAMESRV, () -> {
            DeleteTopicFromNamesrvRequestHeader h = new DeleteTopicFromNamesrvRequestHeader();
            h.setTopic("T");
            h.setClusterName("C");
            return h;
        }, RequestHeaders.DeleteTopicInNamesrv::decode, List.of("topic"), List.of(), List.of()),
        new Case("SendMessage(10)", RequestCode.SEND_MESSAGE, HeaderDecodeErrorsTest::officialSend,
            SendMessageRequestHeader::decode,
            List.of("producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag",
                "bornTimestamp", "flag"),
            List.of("defaultTopicQueueNums", "queueId", "sysFlag", "flag", "reconsumeTimes", "maxReconsumeTimes"),
            List.of("bornTimestamp")),
        new Case("SendMessageV2(310)", RequestCode.SEND_MESSAGE_V2,
            () -> SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(officialSend()),
            SendMessageRequestHeader::decode, List.of("a", "b", "c", "d", "e", "f", "g", "h"),
            List.of("d", "e", "f", "h", "j", "l"), List.of("g")),
        new Case("SendBatchMessage(320)", RequestCode.SEND_BATCH_MESSAGE,
            () -> SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(officialSend()),
            SendMessageRequestHeader::decode, List.of("a", "b", "c", "d", "e", "f", "g", "h"),
            List.of("d", "e", "f", "h", "j", "l"), List.of("g")),
        new Case("PullMessage", RequestCode.PULL_MESSAGE, () -> {
            org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader h =
                new org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader();
            h.setConsumerGroup("G");
            h.setTopic("T");
            h.setQueueId(1);
            h.setQueueOffset(2L);
            h.setMaxMsgNums(32);
            h.setSysFlag(2);
            h.setCommitOffset(0L);
            h.setSuspendTimeoutMillis(15_000L);
            h.setSubscription("*");
            h.setSubVersion(3L);
            h.setExpressionType("TAG");
            return h;
        }, PullMessageRequestHeader::decode,
            List.of("consumerGroup", "topic", "queueId", "queueOffset", "maxMsgNums", "sysFlag", "commitOffset",
                "suspendTimeoutMillis", "subVersion"),
            List.of("queueId", "maxMsgNums", "sysFlag", "maxMsgBytes"),
            List.of("queueOffset", "commitOffset", "suspendTimeoutMillis", "subVersion")));

    private static org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader officialSend() {
        org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader h =
            new org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader();
        h.setProducerGroup("PG");
        h.setTopic("%RETRY%G");
        h.setDefaultTopic("TBW102");
        h.setDefaultTopicQueueNums(4);
        h.setQueueId(0);
        h.setSysFlag(0);
        h.setBornTimestamp(1L);
        h.setFlag(0);
        h.setProperties("A\u0001B");
        h.setReconsumeTimes(1);
        h.setMaxReconsumeTimes(16);
        h.setBname("b");
        return h;
    }

    /** The ext fields an official 4.9.8 client sends for the case's fully populated header. */
    private static Map<String, String> officialExtFields(Case c) {
        RemotingCommand cmd = OfficialFrames.viaOfficialClient(c.code(), c.header().get(), SerializeType.JSON);
        return new HashMap<>(cmd.extFields());
    }

    /** Sends {@code ext} through the official 4.9.8 encoder as a header-less command, then decodes with Quiver. */
    private static RemotingCommand officialFrameWith(int code, Map<String, String> ext, SerializeType type) {
        return OfficialFrames.viaOfficialClient(code, null, type, cmd -> ext.forEach(cmd::addExtField));
    }

    static Stream<Arguments> cases() {
        return CASES.stream().map(Arguments::of);
    }

    static Stream<Arguments> requiredFields() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : CASES) {
            for (String key : c.required()) {
                for (SerializeType t : SerializeType.values()) {
                    out.add(Arguments.of(c, key, t));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> malformedNumbers() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : CASES) {
            for (SerializeType t : SerializeType.values()) {
                for (String key : c.ints()) {
                    for (String bad : List.of("abc", "1.5", "2147483648", "0x10")) {
                        out.add(Arguments.of(c, key, bad, t));
                    }
                }
                for (String bad : List.of("abc", "1e3", "9223372036854775808", "12 34")) {
                    for (String key : c.longs()) {
                        out.add(Arguments.of(c, key, bad, t));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theUnchangedOfficialFieldsDecode(Case c) {
        Map<String, String> ext = officialExtFields(c);
        assertThat(ext).containsKeys(c.required().toArray(String[]::new));
        for (SerializeType t : SerializeType.values()) {
            assertThat(c.decoder().apply(officialFrameWith(c.code(), ext, t))).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0} without {1}, {2}")
    @MethodSource("requiredFields")
    void aMissingRequiredFieldIsNamed(Case c, String key, SerializeType type) {
        Map<String, String> ext = officialExtFields(c);
        assertThat(ext.remove(key)).as("the official client sends %s", key).isNotNull();
        RemotingCommand cmd = officialFrameWith(c.code(), ext, type);
        assertThatThrownBy(() -> c.decoder().apply(cmd))
            .isExactlyInstanceOf(ProtocolException.class)
            .hasMessageContaining("'" + key + "'")
            .hasMessageContaining("missing")
            .hasMessageContaining(Integer.toString(c.code()));
    }

    @ParameterizedTest(name = "{0} {1}=\"{2}\", {3}")
    @MethodSource("malformedNumbers")
    void aMalformedNumberIsNamedNeverAnotherException(Case c, String key, String bad, SerializeType type) {
        Map<String, String> ext = officialExtFields(c);
        ext.put(key, bad);
        RemotingCommand cmd = officialFrameWith(c.code(), ext, type);
        assertThat(cmd.ext(key)).isEqualTo(bad);
        assertThatThrownBy(() -> c.decoder().apply(cmd))
            .isExactlyInstanceOf(ProtocolException.class)
            .hasMessageContaining("'" + key + "'")
            .hasMessageContaining("'" + bad + "'");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aCommandWithoutAnyHeaderFieldsNamesTheFirstMissingField(Case c) {
        for (SerializeType t : SerializeType.values()) {
            RemotingCommand cmd = OfficialFrames.viaOfficialClient(c.code(), null, t);
            assertThat(cmd.extFields()).isNullOrEmpty();
            assertThatThrownBy(() -> c.decoder().apply(cmd))
                .isExactlyInstanceOf(ProtocolException.class)
                .hasMessageContaining("'" + c.required().get(0) + "'")
                .hasMessageContaining("missing");
        }
    }
}
