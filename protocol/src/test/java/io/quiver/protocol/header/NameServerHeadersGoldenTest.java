package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.common.protocol.header.GetTopicsByClusterRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.AddWritePermOfBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.DeleteKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.DeleteTopicFromNamesrvRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.GetRouteInfoRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.PutKVConfigRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.RegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.UnRegisterBrokerRequestHeader;
import org.apache.rocketmq.common.protocol.header.namesrv.WipeWritePermOfBrokerRequestHeader;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tier: name-server headers (100-105, 205, 216, 224, 327) from the official 4.9.8 encoder decode exactly. */
@Timeout(10)
class NameServerHeadersGoldenTest {

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBrokerWithBody(SerializeType type) {
        RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
        h.setBrokerName("broker-a");
        h.setBrokerAddr("10.0.0.1:10911");
        h.setClusterName("DefaultCluster");
        h.setHaServerAddr("10.0.0.1:10912");
        h.setBrokerId(1L);
        h.setCompressed(false);
        h.setBodyCrc32(-123_456_789);
        byte[] body = "{\"topicConfigSerializeWrapper\":{}}".getBytes(StandardCharsets.UTF_8);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.REGISTER_BROKER, h, type,
            r -> r.setBody(body));
        assertThat(RequestHeaders.RegisterBroker.decode(c)).isEqualTo(new RequestHeaders.RegisterBroker(
            "broker-a", "10.0.0.1:10911", "DefaultCluster", "10.0.0.1:10912", 1L, false, -123_456_789, null));
        assertThat(c.body()).isEqualTo(body);
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void registerBrokerCompressedWithoutHaAddress(SerializeType type) {
        RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
        h.setBrokerName("broker-b");
        h.setBrokerAddr("10.0.0.2:10911");
        h.setClusterName("C2");
        h.setBrokerId(0L);
        h.setCompressed(true);
        h.setBodyCrc32(Integer.MAX_VALUE);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.REGISTER_BROKER, h, type);
        assertThat(RequestHeaders.RegisterBroker.decode(c)).isEqualTo(new RequestHeaders.RegisterBroker(
            "broker-b", "10.0.0.2:10911", "C2", "", 0L, true, Integer.MAX_VALUE, null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void unregisterBroker(SerializeType type) {
        UnRegisterBrokerRequestHeader h = new UnRegisterBrokerRequestHeader();
        h.setBrokerName("broker-a");
        h.setBrokerAddr("10.0.0.1:10911");
        h.setClusterName("DefaultCluster");
        h.setBrokerId(2L);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.UNREGISTER_BROKER, h, type);
        assertThat(RequestHeaders.UnregisterBroker.decode(c)).isEqualTo(
            new RequestHeaders.UnregisterBroker("broker-a", "10.0.0.1:10911", "DefaultCluster", 2L));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void putKvConfigWithNonAsciiAndEscapedCharacters(SerializeType type) {
        PutKVConfigRequestHeader h = new PutKVConfigRequestHeader();
        h.setNamespace("ORDER_TOPIC_CONFIG");
        h.setKey("TopicA");
        String value = "broker-a:8;broker-b:8 \"quoted\" back\\slash 值 ✓ 😀\u0001\u0002";
        h.setValue(value);
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.PUT_KV_CONFIG, h, type);
        assertThat(RequestHeaders.KvConfig.decode(c))
            .isEqualTo(new RequestHeaders.KvConfig("ORDER_TOPIC_CONFIG", "TopicA", value));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getKvConfig(SerializeType type) {
        GetKVConfigRequestHeader h = new GetKVConfigRequestHeader();
        h.setNamespace("NS");
        h.setKey("k1");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_KV_CONFIG, h, type);
        assertThat(RequestHeaders.KvConfig.decode(c)).isEqualTo(new RequestHeaders.KvConfig("NS", "k1", null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void deleteKvConfig(SerializeType type) {
        DeleteKVConfigRequestHeader h = new DeleteKVConfigRequestHeader();
        h.setNamespace("NS2");
        h.setKey("k2");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_KV_CONFIG, h, type);
        assertThat(RequestHeaders.KvConfig.decode(c)).isEqualTo(new RequestHeaders.KvConfig("NS2", "k2", null));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getRouteInfoByTopic(SerializeType type) {
        GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
        h.setTopic("TopicA");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_ROUTEINFO_BY_TOPIC, h, type);
        assertThat(RequestHeaders.Topic.decode(c)).isEqualTo(new RequestHeaders.Topic("TopicA"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void wipeWritePermOfBroker(SerializeType type) {
        WipeWritePermOfBrokerRequestHeader h = new WipeWritePermOfBrokerRequestHeader();
        h.setBrokerName("broker-a");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.WIPE_WRITE_PERM_OF_BROKER, h, type);
        assertThat(RequestHeaders.BrokerName.decode(c)).isEqualTo(new RequestHeaders.BrokerName("broker-a"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void addWritePermOfBroker(SerializeType type) {
        AddWritePermOfBrokerRequestHeader h = new AddWritePermOfBrokerRequestHeader();
        h.setBrokerName("broker-b");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.ADD_WRITE_PERM_OF_BROKER, h, type);
        assertThat(RequestHeaders.BrokerName.decode(c)).isEqualTo(new RequestHeaders.BrokerName("broker-b"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void getTopicsByCluster(SerializeType type) {
        GetTopicsByClusterRequestHeader h = new GetTopicsByClusterRequestHeader();
        h.setCluster("DefaultCluster");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.GET_TOPICS_BY_CLUSTER, h, type);
        assertThat(RequestHeaders.Cluster.decode(c)).isEqualTo(new RequestHeaders.Cluster("DefaultCluster"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void deleteTopicInNamesrvWithCluster(SerializeType type) {
        DeleteTopicFromNamesrvRequestHeader h = new DeleteTopicFromNamesrvRequestHeader();
        h.setTopic("OldTopic");
        h.setClusterName("DefaultCluster");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_TOPIC_IN_NAMESRV, h, type);
        assertThat(RequestHeaders.DeleteTopicInNamesrv.decode(c))
            .isEqualTo(new RequestHeaders.DeleteTopicInNamesrv("OldTopic", "DefaultCluster"));
    }

    @ParameterizedTest
    @EnumSource(SerializeType.class)
    void deleteTopicInNamesrvWithoutCluster(SerializeType type) {
        DeleteTopicFromNamesrvRequestHeader h = new DeleteTopicFromNamesrvRequestHeader();
        h.setTopic("OldTopic");
        RemotingCommand c = OfficialFrames.viaOfficialClient(RequestCode.DELETE_TOPIC_IN_NAMESRV, h, type);
        assertThat(RequestHeaders.DeleteTopicInNamesrv.decode(c))
            .isEqualTo(new RequestHeaders.DeleteTopicInNamesrv("OldTopic", null));
    }
}
