package io.quiver.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.store.FlushMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: broker.conf keys use RocketMQ's names, unknown keys are reported, bad values named. */
@Timeout(10)
class BrokerConfigTest {

    @Test
    void rocketMqKeysApplyAndUnknownOnesAreReported() {
        BrokerConfig c = new BrokerConfig();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("brokerName", "broker-b");
        conf.put("listenPort", "10999");
        conf.put("storePathRootDir", "/tmp/x");
        conf.put("flushDiskType", "async_flush");
        conf.put("autoCreateTopicEnable", "false");
        conf.put("maxMessageSize", "1024");
        conf.put("brokerIP1", "10.1.2.3");
        conf.put("brokerRole", "slave");
        conf.put("brokerId", "2");
        conf.put("colour", "blue");
        List<String> warnings = c.apply(conf);
        assertThat(c.brokerName).isEqualTo("broker-b");
        assertThat(c.listenPort).isEqualTo(10999);
        assertThat(c.storePathRootDir).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.flushDiskType).isEqualTo(FlushMode.ASYNC_FLUSH);
        assertThat(c.autoCreateTopicEnable).isFalse();
        assertThat(c.maxMessageSize).isEqualTo(1024);
        assertThat(c.brokerAddr()).isEqualTo("10.1.2.3:10999");
        c.apply(Map.of("transactionCheckInterval", "1000", "transactionCheckMax", "3"));
        assertThat(c.transactionCheckInterval).isEqualTo(1000);
        assertThat(c.transactionCheckMax).isEqualTo(3);
        assertThat(c.brokerRole).isEqualTo(BrokerRole.SLAVE);
        assertThat(c.isReplica()).isTrue();
        assertThat(c.roleProblem()).isNull();
        assertThat(c.haPort()).isEqualTo(11000);
        assertThat(c.haServerAddr()).isEqualTo("10.1.2.3:11000");
        assertThat(warnings).containsExactly("unknown setting 'colour' ignored (see the configuration table in the README)");
    }

    @Test
    void rolesAndIdsMustAgree() {
        BrokerConfig replica = new BrokerConfig();
        replica.apply(Map.of("brokerRole", "SLAVE"));
        assertThat(replica.roleProblem()).contains("brokerRole=SLAVE needs brokerId 1 or more");
        BrokerConfig master = new BrokerConfig();
        master.apply(Map.of("brokerRole", "SYNC_MASTER", "brokerId", "1", "haListenPort", "7000", "brokerIP2", "10.9.9.9"));
        assertThat(master.roleProblem()).contains("is a master, whose brokerId is 0");
        assertThat(master.haServerAddr()).isEqualTo("10.9.9.9:7000");
        assertThatThrownBy(() -> master.apply(Map.of("brokerRole", "LEADER"))).hasMessageContaining("brokerRole")
            .hasMessageContaining("ASYNC_MASTER, SYNC_MASTER, SLAVE");
        assertThatThrownBy(() -> master.apply(Map.of("brokerId", "-1"))).hasMessageContaining("0 or more");
    }

    @Test
    void invalidValuesNameTheKey() {
        BrokerConfig c = new BrokerConfig();
        assertThatThrownBy(() -> c.apply(Map.of("listenPort", "70000"))).hasMessageContaining("listenPort");
        assertThatThrownBy(() -> c.apply(Map.of("autoCreateTopicEnable", "yes"))).hasMessageContaining("true or false");
        assertThatThrownBy(() -> c.apply(Map.of("flushDiskType", "SOMETIMES"))).hasMessageContaining("flushDiskType");
    }

    @Test
    void defaultsAreDurableAndEverySettingIsListed() {
        BrokerConfig c = new BrokerConfig();
        assertThat(c.flushDiskType).isEqualTo(FlushMode.SYNC_FLUSH);
        assertThat(c.asMap()).containsKeys("brokerName", "listenPort", "flushDiskType", "maxMessageSize")
            .hasSize(BrokerConfig.settings().size());
    }

    @Test
    void aCopyKeepsEverySettingAndGetBrokerConfigShowsNoSecret() {
        BrokerConfig c = new BrokerConfig();
        c.apply(java.util.Map.of("brokerName", "broker-x", "tls.server.mode", "enforcing",
            "tls.server.keyPassword", "key-password", "useTLS", "false",
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"inner01\",\"secretKey\":\"inner-secret\"}"));
        c.listenPort = 12345;
        BrokerConfig copy = c.copy();
        assertThat(copy.brokerName).isEqualTo("broker-x");
        assertThat(copy.listenPort).isEqualTo(12345);
        assertThat(copy.tlsSettings()).isEqualTo(c.tlsSettings());
        assertThat(copy.tlsSettings().keyPassword()).isEqualTo("key-password");
        assertThat(copy.tlsSettings().clientEnable()).as("useTLS=false overrides enforcing's default").isFalse();
        assertThat(copy.innerAccessKey).isEqualTo("inner01");
        assertThat(copy.innerSecretKey).isEqualTo("inner-secret");
        assertThat(new BrokerConfig().copy().tlsSettings()).isEqualTo(new BrokerConfig().tlsSettings());
        assertThat(c.asMap().toString()).doesNotContain("key-password").doesNotContain("inner-secret");
    }
}
