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
        conf.put("brokerRole", "ASYNC_MASTER");
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
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("brokerRole").contains("does not act on yet");
        assertThat(warnings.get(1)).contains("unknown setting 'colour'");
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
}
